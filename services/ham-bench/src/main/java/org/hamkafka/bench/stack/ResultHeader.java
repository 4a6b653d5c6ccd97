package org.hamkafka.bench.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hamkafka.bench.BenchMath;
import org.hamkafka.bench.BenchIo;
import org.hamkafka.bench.MachineInfo;
import org.hamkafka.contracts.Codec;

/**
 * What every end-to-end benchmark's result file starts with: the command, the machine, and the load
 * average before and after the run (the runs share the machine with nothing else only if the load says so).
 */
record ResultHeader(String command, MachineInfo machine, String loadBefore, String loadAfter) {
    static final ObjectMapper JSON = Codec.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT);

    /** Taken at the end of a run; {@code loadBefore} was read at its start. */
    static ResultHeader now(Class<?> main, String[] args, String loadBefore) {
        return new ResultHeader(BenchIo.command(main, args), MachineInfo.current(), loadBefore, BenchMath.loadAverage());
    }

    /** A new JSON document holding the header's fields. */
    ObjectNode json() {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("command", command);
        doc.put("machine", machine.describe());
        doc.putPOJO("machine_detail", machine);
        doc.put("load_average_before", loadBefore);
        doc.put("load_average_after", loadAfter);
        return doc;
    }

    /** The Markdown title, command and machine lines. */
    String markdown(String title) {
        return "# " + title + "\n\nCommand: `" + command + "`\n\nMachine: " + machine.describe()
                + "; load average (1/5/15 min) " + loadBefore + " before, " + loadAfter
                + " after (compare runs only on an otherwise idle machine)\n\n";
    }
}
