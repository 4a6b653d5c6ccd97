package org.hamkafka.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One service (a Quarkus fast-jar) running as a child process of this JVM: {@code java -jar
 * <service>/target/quarkus-app/quarkus-run.jar} with its configuration in environment variables, stdout
 * and stderr appended to one log file.
 */
public final class ServiceProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path logFile;
    private final Process process;

    private ServiceProcess(String name, int port, Path logFile, Process process) {
        this.name = name;
        this.port = port;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts {@code java [jvmOptions] -jar jar}; the child inherits this process' environment plus {@code env}.
     *
     * @param name   short name for messages and the log file, e.g. {@code attack-service-2}
     * @param port   its HTTP port (the caller passes it to the service, e.g. as QUARKUS_HTTP_PORT in env)
     */
    public static ServiceProcess start(String name, Path jar, int port, Map<String, String> env, List<String> jvmOptions,
                                       Path logFile) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + ": " + jar + " does not exist; build the services first "
                    + "(mvn -B -q -ntp package -DskipTests)");
        }
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        return start(name, command, jar.toAbsolutePath().getParent(), port, env, logFile);
    }

    /** Starts any command as a service that answers {@code /q/health/ready} on {@code port}. */
    public static ServiceProcess start(String name, List<String> command, Path workDir, int port,
                                       Map<String, String> env, Path logFile) throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        pb.environment().putAll(env);
        return new ServiceProcess(name, port, logFile, pb.start());
    }

    /** The java of the JVM running this launcher, so children run on the same JDK. */
    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .filter(c -> c.endsWith("java"))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Polls {@code /q/health/ready} until it answers 200. Fails early, naming the log file, if the process
     * exits or the time runs out.
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        String last = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new ServiceFailedException(name + " exited with code " + process.exitValue()
                        + " before it was ready; see its log " + logFile + lastLines());
            }
            try {
                HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new ServiceFailedException(name + " is not ready after " + timeout.toSeconds() + " s ("
                        + url() + "/q/health/ready: " + last + "); see its log " + logFile + lastLines());
            }
            Thread.sleep(500);
        }
    }

    private String lastLines() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            return tail.isEmpty() ? "" : "\n  last lines:\n    " + String.join("\n    ", tail);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Asks the process to stop (SIGTERM: Quarkus shuts down gracefully). Returns at once. */
    public void requestStop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    /**
     * Stops the process: SIGTERM, up to {@code grace} to exit, then SIGKILL (children first). Returns the
     * exit code, or empty if the process did not die even after SIGKILL (should not happen).
     */
    public Optional<Integer> stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        requestStop();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                return Optional.empty();
            }
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        return Optional.of(process.exitValue());
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", " + url() + ", log " + logFile + ")";
    }
}
