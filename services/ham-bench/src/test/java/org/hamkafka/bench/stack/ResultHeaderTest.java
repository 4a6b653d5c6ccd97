package org.hamkafka.bench.stack;

import com.fasterxml.jackson.databind.JsonNode;
import org.hamkafka.bench.MachineInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResultHeaderTest {
    @Test
    void jsonAndMarkdownCarryTheSameCommandMachineAndLoad() throws Exception {
        MachineInfo m = new MachineInfo(2, "CPU X", 1L << 30, "Linux", "JVM 17", "defaults");
        ResultHeader h = new ResultHeader("bash scripts/bench.sh distributed", m, "0.1 0.2 0.3", "1.0 1.1 1.2");
        // as written to the result file (the machine detail is a POJO until serialized)
        JsonNode doc = ResultHeader.JSON.readTree(ResultHeader.JSON.writeValueAsString(h.json()));
        assertEquals("bash scripts/bench.sh distributed", doc.get("command").asText());
        assertEquals(m.describe(), doc.get("machine").asText());
        assertEquals(2, doc.get("machine_detail").get("cores").asInt());
        assertEquals("0.1 0.2 0.3", doc.get("load_average_before").asText());
        assertEquals("1.0 1.1 1.2", doc.get("load_average_after").asText());
        assertEquals("# T\n\nCommand: `bash scripts/bench.sh distributed`\n\nMachine: " + m.describe()
                + "; load average (1/5/15 min) 0.1 0.2 0.3 before, 1.0 1.1 1.2 after (compare runs only on an "
                + "otherwise idle machine)\n\n", h.markdown("T"));
    }
}
