package org.hamkafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.hamkafka.contracts.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's infrastructure and child-process handling, on real Kafka/S3/PostgreSQL, with stand-in
 * services (FakeService) in place of the fast-jars: what the children are given, that they are waited
 * for, and that closing leaves no process and no port behind.
 */
class StackLifecycleIT {
    @TempDir
    Path out;

    private StackSettings settings(int workers, int trainerPort) {
        return new StackSettings(Path.of("."), out, out.resolve("data"), workers, trainerPort, 0, 0, 6, "pgd-20", 100,
                Duration.ofSeconds(60), List.of(), Map.of("HAM_ATTACK_THREADS", "1"));
    }

    /** Runs FakeService from the test classes; FAKE_MODE per service name. */
    private static Stack.Launcher fakes(Map<String, String> modes) {
        return (settings, service, name, port, env) -> {
            Map<String, String> e = new HashMap<>(env);
            e.put("FAKE_MODE", modes.getOrDefault(name, "normal"));
            return ServiceProcess.start(name, List.of(ServiceProcess.javaExecutable(), "-cp",
                            System.getProperty("java.class.path"), FakeService.class.getName()),
                    Path.of("."), port, e, settings.logFile(name));
        };
    }

    @Test
    void startsInfraAndChildrenWithTheirSettingsAndStopsEverything() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Stack stack = new Stack(settings(2, 0), new PrintStream(console, true), fakes(Map.of()), Duration.ofSeconds(20));
        List<ProcessHandle> processes;
        List<Integer> ports;
        try {
            stack.start();
            processes = stack.children().stream().map(ServiceProcess::handle).toList();
            ports = stack.ports();
            assertEquals(4, processes.size(), "trainer, eval and two attack workers");
            assertEquals(7, ports.size(), "4 HTTP ports + Kafka, S3, PostgreSQL");
            assertEquals(ports.size(), new HashSet<>(ports).size(), "every port distinct");
            Set<Integer> attackPorts = new HashSet<>();
            stack.attackWorkers().forEach(w -> attackPorts.add(w.port()));
            assertEquals(2, attackPorts.size());

            // every topic, the attack requests with the partitions asked for
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get();
                assertEquals(Set.copyOf(Topics.ALL), topics.keySet());
                assertEquals(6, topics.get(Topics.ATTACK_REQUESTS).partitions().size());
            }
            // both databases, reachable with the services' credentials
            for (String db : List.of(StackSettings.TRAINER_DB, StackSettings.EVAL_DB)) {
                try (Connection c = DriverManager.getConnection(stack.jdbcUrl(db), stack.infra().postgres().username(),
                        stack.infra().postgres().password()); ResultSet r = c.createStatement().executeQuery("SELECT current_database()")) {
                    assertTrue(r.next());
                    assertEquals(db, r.getString(1));
                }
            }
            // what each child was told
            Map<String, String> trainerEnv = env(stack.trainer());
            assertEquals(stack.bootstrapServers(), trainerEnv.get("KAFKA_BOOTSTRAP_SERVERS"));
            assertEquals(stack.infra().s3().endpoint(), trainerEnv.get("HAM_S3_ENDPOINT"));
            assertEquals("ham", trainerEnv.get("HAM_S3_BUCKET"));
            assertEquals(stack.jdbcUrl(StackSettings.TRAINER_DB), trainerEnv.get("QUARKUS_DATASOURCE_JDBC_URL"));
            assertEquals(String.valueOf(stack.trainer().port()), trainerEnv.get("QUARKUS_HTTP_PORT"));
            assertEquals(out.resolve("data").toString(), trainerEnv.get("HAM_DATA_DIR"));
            Map<String, String> evalEnv = env(stack.eval());
            assertEquals(stack.jdbcUrl(StackSettings.EVAL_DB), evalEnv.get("QUARKUS_DATASOURCE_JDBC_URL"));
            assertEquals("pgd-20", evalEnv.get("HAM_EVAL_ATTACKS"));
            assertEquals("100", evalEnv.get("HAM_EVAL_TEST_SUBSET"));
            for (ServiceProcess w : stack.attackWorkers()) {
                Map<String, String> e = env(w);
                assertEquals(w.name(), e.get("HAM_ATTACK_WORKER_ID"));
                assertEquals("1", e.get("HAM_ATTACK_THREADS"));
                assertFalse(e.containsKey("QUARKUS_DATASOURCE_JDBC_URL"), "attack workers have no database");
            }
            assertTrue(Files.readString(stack.trainer().logFile()).contains("fake service listening"),
                    "the child's output goes to its log file");
        } finally {
            stack.close();
        }
        for (ProcessHandle p : processes) {
            assertFalse(p.isAlive(), "child " + p.pid() + " still alive after close");
        }
        for (int port : ports) {
            assertTrue(Ports.isFree(port), "port " + port + " still in use after close");
        }
        stack.close(); // idempotent
    }

    @Test
    void aChildThatDiesIsReportedWithItsLogAndEverythingIsStopped() throws Exception {
        Stack stack = new Stack(settings(1, 0), new PrintStream(new ByteArrayOutputStream()),
                fakes(Map.of(StackSettings.EVAL, "exit")), Duration.ofSeconds(20));
        ServiceFailedException e = assertThrows(ServiceFailedException.class, stack::start);
        assertTrue(e.getMessage().contains("eval-service exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().contains(out.resolve("logs/eval-service.log").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("failing on purpose"), "the log's last lines are shown: " + e.getMessage());
        assertTrue(stack.isClosing());
        for (ServiceProcess p : stack.children()) {
            assertFalse(p.isAlive(), p + " still alive");
        }
        for (int port : stack.ports()) {
            assertTrue(Ports.isFree(port), "port " + port + " still in use");
        }
    }

    @Test
    void aSupervisedChildThatDiesIsStartedAgainOnItsPortAndOneThatKeepsDyingIsLeftDownAndReported() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Stack stack = new Stack(settings(1, 0), new PrintStream(console, true), fakes(Map.of()), Duration.ofSeconds(20));
        try {
            stack.start();
            stack.supervise(Duration.ofMillis(200), 2);
            ServiceProcess first = stack.attackWorkers().get(0);
            String name = first.name();
            first.handle().destroyForcibly(); // what kill -9 or an OOM kill does
            ServiceProcess second = awaitRestart(stack, first, 1);
            // the same service on the same port and environment, ready; the dead run's log kept; never reported dead
            assertEquals(first.port(), second.port());
            assertEquals(name, env(second).get("HAM_ATTACK_WORKER_ID"));
            assertTrue(Files.exists(out.resolve("logs/" + name + ".run1.log")), "the first run's log is kept");
            assertTrue(stack.deadChild().isEmpty());
            assertTrue(stack.children().contains(second) && !stack.children().contains(first));

            second.handle().destroyForcibly();
            ServiceProcess third = awaitRestart(stack, second, 2);
            third.handle().destroyForcibly();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stack.deadChild().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            // past its restarts it stays down and is reported, so the job run stops saying which service died
            assertEquals(name, stack.deadChild().map(ServiceProcess::name).orElse("none"), console.toString());
            assertEquals(2, stack.restarts(name));
            assertTrue(console.toString().contains("leaving it down"), console.toString());
        } finally {
            stack.close();
        }
        for (ServiceProcess p : stack.children()) {
            assertFalse(p.isAlive(), p + " still alive after close");
        }
    }

    /** Waits until the supervisor has replaced {@code dead} by a live, ready process (its restart number {@code n}). */
    private static ServiceProcess awaitRestart(Stack stack, ServiceProcess dead, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            ServiceProcess now = stack.attackWorkers().get(0);
            if (now != dead && now.isAlive() && stack.restarts(dead.name()) == n) {
                now.awaitReady(Duration.ofSeconds(30));
                return now;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(dead.name() + " was not restarted (restart " + n + ") within 60 s");
    }

    @Test
    void aChildIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Stack stack = new Stack(settings(1, 0), new PrintStream(new ByteArrayOutputStream()),
                fakes(Map.of(StackSettings.ATTACK, "ignore-term")), Duration.ofSeconds(2));
        stack.start();
        ProcessHandle stubborn = stack.attackWorkers().get(0).handle();
        long t0 = System.nanoTime();
        stack.close();
        assertFalse(stubborn.isAlive());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(40).toNanos());
        assertTrue(Ports.isFree(stack.attackWorkers().get(0).port()));
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            Stack stack = new Stack(settings(1, port), new PrintStream(new ByteArrayOutputStream()), fakes(Map.of()),
                    Duration.ofSeconds(5));
            Stack.PortInUseException e = assertThrows(Stack.PortInUseException.class, stack::start);
            assertTrue(e.getMessage().contains("port " + port + " is in use (--trainer-port)"), e.getMessage());
            assertTrue(stack.children().isEmpty());
            assertEquals(null, stack.infra(), "no infrastructure was started");
        }
    }

    private static Map<String, String> env(ServiceProcess p) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(p.url() + "/env")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> env = new HashMap<>();
        for (String line : r.body().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }
}
