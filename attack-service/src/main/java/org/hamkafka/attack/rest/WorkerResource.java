package org.hamkafka.attack.rest;

import jakarta.annotation.security.RolesAllowed;
import org.hamkafka.contracts.ApiRoles;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hamkafka.attack.service.AttackWorker;
import org.hamkafka.attack.service.SnapshotCache;
import org.hamkafka.attack.service.SnapshotDigests;

/** What this worker is: its id, its device, the snapshots it holds. */
@Path("/worker")
@RolesAllowed({ApiRoles.VIEWER, ApiRoles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class WorkerResource {
    public record WorkerInfo(String workerId, String device, int snapshotsLoaded, int snapshotsAnnounced) {
    }

    private final AttackWorker worker;
    private final SnapshotCache cache;
    private final SnapshotDigests digests;

    public WorkerResource(AttackWorker worker, SnapshotCache cache, SnapshotDigests digests) {
        this.worker = worker;
        this.cache = cache;
        this.digests = digests;
    }

    @GET
    @Operation(summary = "This worker's id, device and snapshot cache")
    public WorkerInfo info() {
        return new WorkerInfo(worker.workerId(), worker.device(), cache.size(), digests.size());
    }
}
