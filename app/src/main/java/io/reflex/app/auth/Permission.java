package io.reflex.app.auth;

import java.util.Locale;

/**
 * What a call to {@code /api} may do. The names (lower case) are part of the contract: {@code GET
 * /api/whoami} lists them so the console can disable what the token may not use.
 */
public enum Permission {
    /** Every read, and the pure computations (validate, test, replay, explain). */
    VIEW,
    /** Approve or reject an action awaiting approval. */
    APPROVE,
    /** The kill switch (pause, resume) and releasing an isolated target from the blast radius. */
    PAUSE,
    /** Add and remove silences. */
    SILENCE,
    /** Run a drill: it injects a real fault into a real target. */
    DRILL,
    /** Deploy a rule package, roll back, promote or stop a shadow version. */
    DEPLOY,
    /** Every change this table does not name: only admins, so a new endpoint is closed until classified. */
    ADMIN;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The least role that has it, named in 403 answers so the caller knows which token to ask for. */
    public ApiRole leastRole() {
        for (ApiRole role : ApiRole.values()) {
            if (role.has(this)) {
                return role;
            }
        }
        throw new IllegalStateException("no role has " + this);
    }
}
