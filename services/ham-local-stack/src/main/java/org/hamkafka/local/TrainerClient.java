package org.hamkafka.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.hamkafka.contracts.Codec;

/** trainer-service's REST API as the launcher and the end-to-end test use it: submit a job, read it back. */
public final class TrainerClient {
    /** Job states after which nothing changes any more. */
    public static final Set<String> FINAL_STATES = Set.of("COMPLETED", "FAILED", "CANCELLED");

    private static final ObjectMapper JSON = Codec.mapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String authorization;

    /** @param bearerToken an operator's API token (see {@code Stack#operatorToken}) */
    public TrainerClient(String baseUrl, String bearerToken) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = "Bearer " + bearerToken;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String jobUrl(String id) {
        return baseUrl + "/jobs/" + id;
    }

    /** {@code POST /jobs}; returns the created job (its {@code id}, {@code state}...). */
    public JsonNode submit(ObjectNode request) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + "/jobs"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                .build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IOException("POST " + baseUrl + "/jobs answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        JsonNode job = JSON.readTree(response.body());
        if (!job.hasNonNull("id")) {
            throw new IOException("POST " + baseUrl + "/jobs answered without a job id: " + response.body());
        }
        return job;
    }

    /** {@code GET /jobs/{id}}. */
    public JsonNode job(String id) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(jobUrl(id)))
                .timeout(Duration.ofSeconds(30)).header("Accept", "application/json")
                .header("Authorization", authorization).GET().build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + jobUrl(id) + " answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** {@code GET /jobs/{id}/events}: what happened to the job, in order ({@code at}, {@code kind}, {@code message}). */
    public JsonNode events(String id) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(jobUrl(id) + "/events"))
                .timeout(Duration.ofSeconds(30)).header("Accept", "application/json")
                .header("Authorization", authorization).GET().build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + jobUrl(id) + "/events answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    public static String state(JsonNode job) {
        return job.path("state").asText("");
    }

    public static ObjectNode newRequest() {
        return JSON.createObjectNode();
    }
}
