package org.hamkafka.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every example in docs/contracts.md is read by the code: each JSON block under a payload's heading decodes as that
 * record (an envelope's header with a body built from the sections it names, whose stated lengths must be the
 * {@code .npy} sizes), and the doc's Python readers, run with Debian's numpy, read what the Java side writes.
 */
class ContractsDocTest {
    private static final Map<String, Class<? extends Versioned>> RECORDS = Map.of(
            "AttackRequest", AttackRequest.class, "AttackResult", AttackResult.class,
            "ModelSnapshot", ModelSnapshot.class, "CheckpointAnnouncement", CheckpointAnnouncement.class,
            "EvalResult", EvalResult.class, "TrainingProgress", TrainingProgress.class,
            "DeadLetter", DeadLetter.class);
    private static final Pattern HEADING = Pattern.compile("^### `(\\w+)`", Pattern.MULTILINE);
    private static final Pattern BLOCK = Pattern.compile("```(json|python)\\n(.*?)```", Pattern.DOTALL);

    record Example(String section, String language, String text) {
    }

    static Path doc() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/contracts.md"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "docs/contracts.md above " + Path.of("").toAbsolutePath());
        return dir.resolve("docs/contracts.md");
    }

    /** Every fenced json/python block with the payload heading it is under (null before the first). */
    static List<Example> examples() throws Exception {
        String md = Files.readString(doc());
        List<Example> out = new ArrayList<>();
        Matcher b = BLOCK.matcher(md);
        while (b.find()) {
            Matcher h = HEADING.matcher(md.substring(0, b.start()));
            String section = null;
            while (h.find()) {
                section = h.group(1);
            }
            out.add(new Example(section, b.group(1), b.group(2)));
        }
        return out;
    }

    @Test
    void everyJsonExampleDecodesAsItsRecord() throws Exception {
        List<Example> all = examples();
        JsonNode v2Settings = null;
        int decoded = 0;
        for (Example e : all) {
            if (e.language().equals("json") && "AttackRequest".equals(e.section())) {
                v2Settings = Codec.mapper().readTree(e.text()).get("settings");
            }
        }
        for (Example e : all) {
            if (!e.language().equals("json")) {
                continue;
            }
            ObjectNode json = (ObjectNode) Codec.mapper().readTree(e.text());
            // the version-1 AttackRequest under "Versioning rule" shows its settings shortened to version 2's
            String section = e.section() != null && RECORDS.containsKey(e.section()) ? e.section() : "AttackRequest";
            if (json.path("settings").has("...")) {
                json.set("settings", v2Settings);
            }
            Class<? extends Versioned> type = RECORDS.get(section);
            byte[] wire = json.path("schema_version").asInt() == SchemaVersion.BINARY && isBinary(type)
                    ? envelope(json) : Codec.mapper().writeValueAsBytes(json);
            Versioned record;
            try {
                record = Codec.fromBytes(wire, type);
            } catch (RuntimeException ex) {
                throw new AssertionError("the " + section + " example does not decode: " + ex.getMessage(), ex);
            }
            assertEquals(json.get("schema_version").asInt(), record.schemaVersion(), section);
            decoded++;
        }
        assertEquals(8, decoded, "the json examples of docs/contracts.md (update when adding one)");
    }

    private static boolean isBinary(Class<?> type) {
        return type == AttackRequest.class || type == AttackResult.class || type == ModelSnapshot.class;
    }

    /** The envelope the header describes: each tensor section a zero-filled .npy of its dtype and shape. */
    private static byte[] envelope(ObjectNode header) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode ref = f.getValue();
            if (!ref.isObject() || !ref.has("offset")) {
                continue;
            }
            byte[] section;
            if (ref.has("dtype")) {
                long[] shape = new long[ref.get("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = ref.get("shape").get(i).asLong();
                    n *= shape[i];
                }
                Tensor t = ref.get("dtype").asText().equals("float32") ? Tensor.ofFloats(shape, new float[(int) n])
                        : Tensor.ofLongs(shape, new long[(int) n]);
                section = TensorCodec.toNpy(t);
            } else {
                section = new byte[ref.get("length").asInt()];
            }
            assertEquals(ref.get("offset").asLong(), body.size(), f.getKey() + ": sections follow one another");
            assertEquals(ref.get("length").asLong(), section.length, f.getKey() + ": the stated length is the .npy's");
            body.write(section);
        }
        byte[] h = Codec.mapper().writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[]{(byte) 0x89, 'H', 'A', 'M'}).putShort((short) SchemaVersion.BINARY).putInt(h.length).put(h)
                .put(body.toByteArray());
        return out.array();
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }

    @Test
    void thePythonReadersReadWhatJavaWrites(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        boolean numpy = Files.isExecutable(python)
                && new ProcessBuilder(python.toString(), "-c", "import numpy").start().waitFor() == 0;
        if (!numpy && System.getenv("CI") != null) {
            fail("CI must run the contracts' Python readers: /usr/bin/python3 cannot import numpy "
                    + "(scripts/setup.sh installs python3-numpy for the tests)");
        }
        assumeTrue(numpy, "no numpy for /usr/bin/python3: apt-get install -y python3-numpy");
        List<String> snippets = examples().stream().filter(e -> e.language().equals("python")).map(Example::text).toList();
        assertEquals(3, snippets.size(), "the envelope reader, version 1's tensor codec, the checkpoint signature");
        AttackRequest request = Samples.attackRequest();
        Files.write(dir.resolve("request.bin"), Codec.toBytes(request));
        Tensor images = request.images();
        Files.writeString(dir.resolve("v1.txt"), TensorCodec.encode(images));
        String program = snippets.get(0) + "\n" + snippets.get(1) + """

                import sys
                msg = read(open(sys.argv[1] + "/request.bin", "rb").read())
                a = msg["images"]
                print(msg["job_id"], a.dtype, list(a.shape), float(a.sum()), list(msg["labels"]))
                t = decode({"data": open(sys.argv[1] + "/v1.txt").read()})
                assert (t == a).all(), "version 1's tensor is the envelope's"
                assert (decode(encode(a)) == a).all(), "encode then decode"
                """;
        Files.writeString(dir.resolve("check.py"), program);
        Process p = new ProcessBuilder(python.toString(), dir.resolve("check.py").toString(), dir.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "python failed: " + err);
        // the signature recipe, on the announcement's fields, signs as CheckpointSignature does
        CheckpointAnnouncement a = Samples.checkpoint();
        byte[] key = "a-key-of-at-least-thirty-two-bytes-for-the-doc".getBytes(StandardCharsets.UTF_8);
        String sign = String.format("""
                job_id, epoch, object_key, sha256, arch, dataset, method = %s, %d, %s, %s, %s, %s, %s
                eps, key = %s, %s
                """, q(a.jobId()), a.epoch(), q(a.objectKey()), q(a.sha256()), q(a.arch()), q(a.dataset()), q(a.method()),
                Float.toString(a.eps()), "b" + q(new String(key, StandardCharsets.UTF_8))) + snippets.get(2) + "\nprint(signature)\n";
        Files.writeString(dir.resolve("sign.py"), sign);
        Process s = new ProcessBuilder(python.toString(), dir.resolve("sign.py").toString()).start();
        String signed = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(s.waitFor(60, TimeUnit.SECONDS) && s.exitValue() == 0,
                new String(s.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(a.signedWith(key).signature(), signed);

        double sum = 0;
        for (float v : images.floats()) {
            sum += v;
        }
        long[] labels = request.labels().longs();
        assertTrue(out.startsWith(request.jobId() + " float32 "), out);
        assertTrue(out.contains(java.util.Arrays.toString(labels)), out + " has the labels " + java.util.Arrays.toString(labels));
        String[] parts = out.split(" ");
        int sumAt = 2 + images.shape().length;
        assertEquals(sum, Double.parseDouble(parts[sumAt]), 1e-3, "the images' sum: " + out);
    }
}
