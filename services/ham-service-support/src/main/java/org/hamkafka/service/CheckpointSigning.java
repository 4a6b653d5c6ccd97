package org.hamkafka.service;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.CheckpointSignature;

/**
 * The key the trainer signs its checkpoint announcements with and the evaluators check them against
 * ({@code ham.checkpoint.signing-key}, env {@code HAM_CHECKPOINT_SIGNING_KEY}, at least 32 bytes). Required
 * outside dev and test, where a clearly-marked local-development key is set. A singleton made when the bean
 * that injects it is — the trainer's messaging (its consumer subscribes at start-up) and eval-service's
 * {@code @Startup} evaluator — so a trainer or eval-service with a short key does not start; attack-service
 * never injects it.
 */
@Singleton
public class CheckpointSigning {
    private final byte[] key;

    public CheckpointSigning(@ConfigProperty(name = "ham.checkpoint.signing-key") String signingKey) {
        this.key = CheckpointSignature.key(signingKey);
    }

    public CheckpointAnnouncement sign(CheckpointAnnouncement a) {
        return a.signedWith(key);
    }

    /** Null when {@code a} was signed with this key, else why it is refused. */
    public String problem(CheckpointAnnouncement a) {
        return CheckpointSignature.problem(key, a);
    }
}
