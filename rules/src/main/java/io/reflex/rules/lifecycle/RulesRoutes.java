package io.reflex.rules.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.model.AlertEvent;
import io.reflex.model.ApiError;
import io.reflex.model.Json;
import io.reflex.rules.RuleCompilationException;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleError;
import io.reflex.rules.replay.Replay;
import io.reflex.rules.testing.RuleTestFile;
import io.reflex.rules.testing.RuleTestFormatException;
import io.reflex.rules.testing.RuleTestRunner;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.kie.api.KieBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule lifecycle over HTTP: {@code POST /api/rules/validate}, whose body is
 * the DRL text of a rule package (any content type), answered with {@code 200 {"valid": true}}
 * or {@code 422 {"valid": false, "errors": [{"line","column","message"}]}}; and, given a
 * {@link Deployer}, {@code POST /api/rules} (deploy: {@code 201 {"version": n}} once this
 * process runs it, {@code 202} when it did not within the deployer's bound),
 * {@code GET /api/rules} and {@code POST /api/rules/rollback/{version}}; shadow mode:
 * {@code POST /api/rules?shadow=true} (the version runs beside the active one, its actions only
 * recorded: {@code 201 {"version": n, "shadow": true}} once this process has read it),
 * {@code DELETE /api/rules/shadow} (stops it: {@code 200 {"stopped": n}}) and
 * {@code POST /api/rules/shadow/promote} (makes it active: {@code 201 {"version": n}} as a deploy).
 *
 * <p>For the console: {@code POST /api/rules/test} (body {@code {"drl", "tests"}}, the tests in the
 * rule-test YAML format of {@code reflex rules test}: {@code 200 {"passed","failed","results"}}),
 * and, given a deployer, {@code GET /api/rules/{version}} (a stored version's text and metadata)
 * and {@code POST /api/rules/explain} (which rules of the active version fire for an alert alone,
 * and when none does, the rules that mention it; see {@link Explainer}).
 *
 * <p>Compiling takes from tens of milliseconds to seconds (1000 rules: about 5 s), so it runs
 * on worker threads: on the event loop it would stall every other request of the process. The
 * workers are a small pool of their own, so a burst of validations cannot starve the shared
 * worker pool other routes (health checks) block on; past {@link #MAX_IN_FLIGHT} requests
 * running or waiting, more are refused with {@code 503} and {@code Retry-After}.
 *
 * <p>Close it (or the Vert.x instance) to release its worker threads.
 */
public final class RulesRoutes implements AutoCloseable {
    /** The default largest DRL body: a thousand-rule package is a few hundred KiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1024L * 1024;
    /** Threads compiling at once: a compile is CPU-bound, and the rules stage needs the cores too. */
    static final int COMPILERS = 2;
    /** Validations running or waiting for a compiler; more get 503. */
    static final int MAX_IN_FLIGHT = 8;
    static final int RETRY_AFTER_SECONDS = 5;

    static final String VALIDATE_PATH = "/api/rules/validate";
    static final String RULES_PATH = "/api/rules";
    static final String ROLLBACK_PATH = "/api/rules/rollback/:version";
    static final String REPLAY_PATH = "/api/rules/replay";
    static final String SHADOW_PATH = "/api/rules/shadow";
    static final String PROMOTE_PATH = "/api/rules/shadow/promote";
    static final String TEST_PATH = "/api/rules/test";
    static final String EXPLAIN_PATH = "/api/rules/explain";
    /** Mounted last, and for GET only: every other {@code /api/rules/…} route is a POST or a DELETE. */
    static final String VERSION_PATH = "/api/rules/:version";
    static final String AUTHOR_HEADER = "X-Reflex-Author";

    private static final Logger LOG = LoggerFactory.getLogger(RulesRoutes.class);
    /** Reads the tests of {@code POST /api/rules/test}; YAML is a superset of JSON, so both. */
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final String TESTS_ORIGIN = "the tests";

    private final WorkerExecutor compilers;
    private final long maxBodyBytes;
    private final int maxInFlight;
    private final Function<String, List<RuleError>> validator;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Null when this process only validates. */
    private final Deployer deployer;
    /** One thread: deploys and rollbacks of this process happen one after the other. */
    private final WorkerExecutor deployers;
    /** Null when this process cannot read the recorded history. */
    private final Replay replay;
    private final WorkerExecutor replays;

    /**
     * Validates with {@link RuleCompiler#validate(String)}.
     *
     * @param maxBodyBytes the largest body accepted; larger ones get {@code 413}
     *                     ({@link #DEFAULT_MAX_BODY_BYTES} is a sane value)
     */
    public RulesRoutes(Vertx vertx, long maxBodyBytes) {
        this(vertx, maxBodyBytes, MAX_IN_FLIGHT, RuleCompiler::validate, null, null);
    }

    /** Validates, and deploys, lists and rolls back through the deployer. */
    public RulesRoutes(Vertx vertx, long maxBodyBytes, Deployer deployer) {
        this(vertx, maxBodyBytes, MAX_IN_FLIGHT, RuleCompiler::validate, deployer, null);
    }

    /** All of the above, and replays candidates over the recorded alerts ({@code POST /api/rules/replay}). */
    public RulesRoutes(Vertx vertx, long maxBodyBytes, Deployer deployer, Replay replay) {
        this(vertx, maxBodyBytes, MAX_IN_FLIGHT, RuleCompiler::validate, deployer, replay);
    }

    RulesRoutes(Vertx vertx, long maxBodyBytes, int maxInFlight, Function<String, List<RuleError>> validator) {
        this(vertx, maxBodyBytes, maxInFlight, validator, null, null);
    }

    /**
     * @param maxInFlight validations running or waiting at once; more get {@code 503}
     * @param validator   the errors of a package, empty when it compiles; called on a worker thread
     */
    RulesRoutes(Vertx vertx, long maxBodyBytes, int maxInFlight, Function<String, List<RuleError>> validator,
            Deployer deployer, Replay replay) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        if (maxInFlight <= 0) {
            throw new IllegalArgumentException("maxInFlight must be positive, got " + maxInFlight);
        }
        this.compilers = vertx.createSharedWorkerExecutor("reflex-rules-compiler", COMPILERS);
        this.maxBodyBytes = maxBodyBytes;
        this.maxInFlight = maxInFlight;
        this.validator = validator;
        this.deployer = deployer;
        this.deployers = deployer == null ? null : vertx.createSharedWorkerExecutor("reflex-rules-deployer", 1,
                Deployer.DEFAULT_ACTIVATION_BOUND.toSeconds() * 4, TimeUnit.SECONDS);
        this.replay = replay;
        // One replay at a time: each reads a time range of two topics.
        this.replays = replay == null ? null : vertx.createSharedWorkerExecutor("reflex-rules-replay", 1, 5,
                TimeUnit.MINUTES);
    }

    public void mount(Router router) {
        router.post(VALIDATE_PATH)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::validate)
                .failureHandler(this::failure);
        router.post(TEST_PATH)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::test)
                .failureHandler(this::failure);
        if (deployer != null) {
            router.post(RULES_PATH)
                    .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                    .handler(this::deploy)
                    .failureHandler(this::failure);
            router.get(RULES_PATH).handler(ctx -> lifecycle(ctx, () -> {
                Deployer.Listing listing = deployer.list();
                return new Answer(200, listing);
            })).failureHandler(this::failure);
            router.post(ROLLBACK_PATH).handler(this::rollback).failureHandler(this::failure);
            router.delete(SHADOW_PATH).handler(this::stopShadow).failureHandler(this::failure);
            router.post(PROMOTE_PATH).handler(this::promoteShadow).failureHandler(this::failure);
            router.post(EXPLAIN_PATH)
                    .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                    .handler(this::explain)
                    .failureHandler(this::failure);
        }
        if (replay != null) {
            router.post(REPLAY_PATH)
                    .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                    .handler(this::replay)
                    .failureHandler(this::failure);
        }
        if (deployer != null) {
            // Last: a parameter path, so a later GET route under /api/rules/ must be mounted before it.
            router.get(VERSION_PATH).handler(this::version).failureHandler(this::failure);
        }
    }

    /** {@code GET /api/rules/{version}}: {@code {"version","drl","deployedAt","author","shadow"}}. */
    private void version(RoutingContext ctx) {
        long version;
        try {
            version = Long.parseLong(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            respond(ctx, 400, new ApiError("bad_version", "The version must be a number, as GET " + RULES_PATH
                    + " lists them, e.g. GET " + RULES_PATH + "/3.", List.of("version: " + ctx.pathParam("version"))));
            return;
        }
        lifecycle(ctx, () -> deployer.version(version)
                .map(v -> new Answer(200, v))
                .orElseGet(() -> new Answer(404, new ApiError("unknown_version", "There is no ruleset version "
                        + version + "; GET " + RULES_PATH + " lists the versions.", List.of()))));
    }

    /**
     * {@code POST /api/rules/test} with {@code {"drl": "...", "tests": "<YAML>"}}: compiles the
     * package and runs the tests as {@code reflex rules test} does, on a compiler thread.
     */
    private void test(RoutingContext ctx) {
        JsonNode body = jsonBody(ctx, "{\"drl\": \"<the rule package>\", \"tests\": \"<rule tests in YAML, as"
                + " reflex rules test reads them>\"}");
        if (body == null) {
            return;
        }
        List<String> missing = new ArrayList<>();
        JsonNode drlNode = body.get("drl");
        if (drlNode == null || !drlNode.isTextual() || drlNode.asText().isBlank()) {
            missing.add("drl: missing or not text; give the DRL text of the rule package");
        }
        JsonNode testsNode = body.get("tests");
        if (testsNode == null || !(testsNode.isTextual() && !testsNode.asText().isBlank() || testsNode.isObject())) {
            missing.add("tests: missing or empty; give the rule tests as YAML text (tests: [{name, alerts, expect}])");
        }
        if (!missing.isEmpty()) {
            respond(ctx, 400, new ApiError("bad_request", "The body needs the rule package and its tests: "
                    + String.join("; ", missing) + ".", missing));
            return;
        }
        String drl = drlNode.asText();
        compute(ctx, "running rule tests", () -> {
            RuleTestFile tests;
            try {
                tests = RuleTestFile.parse(TESTS_ORIGIN, testsNode.isObject() ? testsNode
                        : YAML.readTree(testsNode.asText()));
            } catch (JsonProcessingException e) {
                String problem = TESTS_ORIGIN + ": not valid YAML (" + e.getOriginalMessage()
                        + (e.getLocation() == null ? "" : ", line " + e.getLocation().getLineNr()) + ")";
                return new Answer(400, new ApiError("bad_tests", "The tests cannot be read: " + problem
                        + ". Fix the YAML and run them again.", List.of(problem)));
            } catch (RuleTestFormatException e) {
                return new Answer(400, new ApiError("bad_tests", "The tests cannot be read: " + e.getMessage()
                        + ". Fix them and run them again.", List.of(e.getMessage())));
            }
            KieBase rules;
            try {
                rules = RuleCompiler.compile("the tested package", drl);
            } catch (RuleCompilationException e) {
                return new Answer(422, new Invalid(false, e.errors()));
            }
            List<TestOutcome> results = RuleTestRunner.run(tests, rules).stream()
                    .map(r -> new TestOutcome(r.name(), r.passed(),
                            r.passed() ? "passed" : String.join("\n", r.problems()), r.problems()))
                    .toList();
            int passed = (int) results.stream().filter(TestOutcome::passed).count();
            return new Answer(200, new TestRun(passed, results.size() - passed, results));
        });
    }

    /** The answer of {@code POST /api/rules/test}; records so the field order is the contract's. */
    record TestRun(int passed, int failed, List<TestOutcome> results) {
    }

    /** @param message "passed", or the problems one a line; {@code problems} has them as a list */
    record TestOutcome(String name, boolean passed, String message, List<String> problems) {
    }

    /**
     * {@code POST /api/rules/explain} with an alert-like body: which rules of the active version
     * fire for it alone, and when none does, the rules that mention it.
     */
    private void explain(RoutingContext ctx) {
        JsonNode body = jsonBody(ctx, "{\"name\": \"ServiceDown\", \"labels\": {\"service\": \"shop\"},"
                + " \"resource\": {\"kind\": \"service\", \"name\": \"shop\"}, \"status\": \"FIRING\"}");
        if (body == null) {
            return;
        }
        AlertEvent alert;
        try {
            alert = Explainer.alertOf(body, deployer.clock().instant());
        } catch (IllegalArgumentException e) {
            respond(ctx, 400, new ApiError("bad_alert", "The alert cannot be read: " + e.getMessage() + ".",
                    List.of(e.getMessage())));
            return;
        }
        compute(ctx, "explaining alert " + alert.name(), () -> {
            Deployer.Active active = deployer.active();
            return new Answer(200, Explainer.explain(active.version().version(), active.version().drl(),
                    active.ruleset().base(), alert));
        });
    }

    /** The body as a JSON object, or null once a 400 naming the expected shape was sent. */
    private static JsonNode jsonBody(RoutingContext ctx, String expected) {
        Buffer buffer = ctx.body().buffer();
        String text = buffer == null ? "" : buffer.toString(StandardCharsets.UTF_8);
        JsonNode body = null;
        String problem;
        try {
            body = text.isBlank() ? null : Json.MAPPER.readTree(text);
            problem = body != null && body.isObject() ? null : "the body is " + (text.isBlank() ? "empty"
                    : "not a JSON object");
        } catch (JsonProcessingException e) {
            problem = "the body is not JSON (" + e.getOriginalMessage() + ")";
        }
        if (problem != null) {
            respond(ctx, 400, new ApiError("bad_request", "The request could not be read: " + problem
                    + ". Send a JSON object: " + expected, List.of(problem)));
            return null;
        }
        return body;
    }

    /**
     * Runs CPU-bound work (compiling, firing rules) on a compiler thread, counted with the
     * validations against {@link #maxInFlight}.
     */
    private void compute(RoutingContext ctx, String what, Callable<Answer> work) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            respond(ctx, 503, new ApiError("busy", "Reflex is already compiling " + maxInFlight
                    + " rule packages; retry in " + RETRY_AFTER_SECONDS + " s.", List.of()));
            return;
        }
        compilers.executeBlocking(work, false).onComplete(ar -> {
            inFlight.decrementAndGet();
            if (ar.failed()) {
                LOG.error("{} failed unexpectedly", what, ar.cause());
                respond(ctx, 500, new ApiError("internal_error", what + " failed unexpectedly. Retry, and report"
                        + " the error Reflex logged if it persists.", List.of(String.valueOf(ar.cause()))));
                return;
            }
            respond(ctx, ar.result().status(), ar.result().body());
        });
    }

    /**
     * {@code POST /api/rules/replay?from=…&to=…} with a candidate package as the body: what it
     * would have done with the alerts recorded in [from, to), next to what was done.
     */
    private void replay(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        String drl = body == null ? "" : body.toString(StandardCharsets.UTF_8);
        java.time.Instant from;
        java.time.Instant to;
        try {
            from = java.time.Instant.parse(String.valueOf(ctx.request().getParam("from")));
            to = java.time.Instant.parse(String.valueOf(ctx.request().getParam("to")));
        } catch (java.time.format.DateTimeParseException e) {
            respond(ctx, 400, new ApiError("bad_range", "Give the time range as from and to query parameters in"
                    + " ISO-8601, e.g. ?from=2026-11-26T10:00:00Z&to=2026-11-26T11:00:00Z.", List.of()));
            return;
        }
        if (drl.isBlank() || !to.isAfter(from)) {
            respond(ctx, 400, new ApiError("bad_request", drl.isBlank() ? "The body is empty: send the candidate"
                    + " package's DRL text." : "to must be after from.", List.of()));
            return;
        }
        replays.executeBlocking(() -> {
            try {
                return new Answer(200, replay.run(from, to, "replay request", drl));
            } catch (RuleCompilationException e) {
                return new Answer(422, new Invalid(false, e.errors()));
            }
        }, true).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("replay {}..{} failed: {}", from, to, ar.cause().toString());
                respond(ctx, 503, new ApiError("replay_failed", "The recorded alerts could not be read: "
                        + ar.cause().getMessage() + ". Check Kafka and retry, or narrow the range.", List.of()));
                return;
            }
            respond(ctx, ar.result().status(), ar.result().body());
        });
    }

    /** A status and a body, computed on the deployer thread. */
    private record Answer(int status, Object body) {
    }

    private void deploy(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        String drl = body == null ? "" : body.toString(StandardCharsets.UTF_8);
        if (drl.isBlank()) {
            respond(ctx, 400, new ApiError("empty_body", "The body is empty. Send the DRL text of a rule package "
                    + "as the request body, e.g. curl --data-binary @rules.drl " + RULES_PATH,
                    List.of("body: empty")));
            return;
        }
        String shadowParam = ctx.request().getParam("shadow");
        if (shadowParam != null && !shadowParam.equals("true") && !shadowParam.equals("false")) {
            respond(ctx, 400, new ApiError("bad_shadow", "The shadow parameter is true or false: POST " + RULES_PATH
                    + "?shadow=true runs the package in shadow beside the active version.",
                    List.of("shadow: " + shadowParam)));
            return;
        }
        boolean shadow = "true".equals(shadowParam);
        String header = ctx.request().getHeader(AUTHOR_HEADER);
        String author = header == null || header.isBlank() ? "anonymous" : header.strip();
        lifecycle(ctx, () -> {
            try {
                Deployer.Deployed deployed = deployer.deploy(drl, author, shadow);
                if (shadow) {
                    return deployed.active()
                            ? new Answer(201, Map.of("version", deployed.version(), "shadow", true))
                            : new Answer(202, Map.of("version", deployed.version(), "shadow", true, "note",
                                    "stored as the shadow version, but this instance did not run it yet; GET "
                                    + RULES_PATH + " to follow"));
                }
                return deployed.active()
                        ? new Answer(201, Map.of("version", deployed.version()))
                        : new Answer(202, Map.of("version", deployed.version(), "note", "stored and active, but"
                                + " this instance did not run it yet; GET " + RULES_PATH + " to follow"));
            } catch (RuleCompilationException e) {
                return new Answer(422, new Invalid(false, e.errors()));
            }
        });
    }

    private void rollback(RoutingContext ctx) {
        long version;
        try {
            version = Long.parseLong(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            respond(ctx, 400, new ApiError("bad_version", "The version must be a number, as GET " + RULES_PATH
                    + " lists them.", List.of("version: " + ctx.pathParam("version"))));
            return;
        }
        lifecycle(ctx, () -> deployer.rollback(version)
                .map(d -> new Answer(d.active() ? 200 : 202, Map.of("version", d.version(), "active", d.active())))
                .orElseGet(() -> new Answer(404, new ApiError("unknown_version", "There is no ruleset version "
                        + version + "; GET " + RULES_PATH + " lists the versions.", List.of()))));
    }

    private static ApiError noShadow(String doing) {
        return new ApiError("no_shadow", "No version runs in shadow, so there is none to " + doing + ". Deploy one"
                + " with POST " + RULES_PATH + "?shadow=true (reflex rules deploy FILE --shadow); GET " + RULES_PATH
                + " shows the active and shadow versions.", List.of());
    }

    private void stopShadow(RoutingContext ctx) {
        lifecycle(ctx, () -> deployer.stopShadow()
                .map(v -> new Answer(200, Map.of("stopped", v)))
                .orElseGet(() -> new Answer(404, noShadow("stop"))));
    }

    private void promoteShadow(RoutingContext ctx) {
        lifecycle(ctx, () -> deployer.promoteShadow()
                .map(d -> d.active()
                        ? new Answer(201, Map.of("version", d.version()))
                        : new Answer(202, Map.of("version", d.version(), "note", "promoted and active, but this"
                                + " instance did not run it yet; GET " + RULES_PATH + " to follow")))
                .orElseGet(() -> new Answer(404, noShadow("promote"))));
    }

    private void lifecycle(RoutingContext ctx, Callable<Answer> work) {
        deployers.executeBlocking(work, true).onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("{} {} failed", ctx.request().method(), ctx.normalizedPath(), ar.cause());
                respond(ctx, 503, new ApiError("unavailable", String.valueOf(ar.cause().getMessage()), List.of()));
                return;
            }
            respond(ctx, ar.result().status(), ar.result().body());
        });
    }

    private void validate(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        String drl = body == null ? "" : body.toString(StandardCharsets.UTF_8);
        if (drl.isBlank()) {
            // An empty package compiles, so "valid" would be true and useless: the sender lost its file.
            respond(ctx, 400, new ApiError("empty_body", "The body is empty. Send the DRL text of a rule package "
                    + "as the request body, e.g. curl --data-binary @rules.drl " + VALIDATE_PATH,
                    List.of("body: empty")));
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            respond(ctx, 503, new ApiError("busy", "Reflex is already validating " + maxInFlight
                    + " rule packages; retry in " + RETRY_AFTER_SECONDS + " s.", List.of()));
            return;
        }
        long start = System.nanoTime();
        // Not ordered: validations of different requests are independent and may run side by side.
        compilers.executeBlocking(() -> validator.apply(drl), false).onComplete(ar -> {
            inFlight.decrementAndGet();
            if (ar.failed()) {
                LOG.error("validating a rule package of {} bytes failed unexpectedly", body.length(), ar.cause());
                respond(ctx, 500, new ApiError("internal_error", "The rule compiler failed unexpectedly; nothing "
                        + "was decided about this package. Retry, and report the error Reflex logged if it persists.",
                        List.of(String.valueOf(ar.cause()))));
                return;
            }
            List<RuleError> errors = ar.result();
            LOG.debug("validated a rule package of {} bytes in {} ms: {} error(s)", body.length(),
                    (System.nanoTime() - start) / 1_000_000, errors.size());
            if (errors.isEmpty()) {
                respond(ctx, 200, Map.of("valid", true));
            } else {
                respond(ctx, 422, new Invalid(false, errors));
            }
        });
    }

    /** Releases the compiler threads; call it when the HTTP server stops. */
    @Override
    public void close() {
        compilers.close();
        if (deployers != null) {
            deployers.close();
        }
        if (replays != null) {
            replays.close();
        }
    }

    /** The 422 body; a record so the field order is the contract's. */
    record Invalid(boolean valid, List<RuleError> errors) {
    }

    private void failure(RoutingContext ctx) {
        int code = ctx.statusCode();
        if (code == 413) {
            respond(ctx, 413, new ApiError("payload_too_large", "The rule package is larger than " + maxBodyBytes
                    + " bytes. Split it into smaller packages, or raise the limit Reflex was started with.",
                    List.of("body: larger than " + maxBodyBytes + " bytes")));
        } else if (code >= 400 && code < 500) {
            respond(ctx, code, new ApiError("bad_request", "The request could not be read: "
                    + (ctx.failure() == null ? "HTTP " + code : ctx.failure().getMessage())
                    + ". POST the DRL text of a rule package as the body.", List.of()));
        } else {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            respond(ctx, 500, ApiError.of("internal_error", "Validating the rule package failed unexpectedly. "
                    + "Retry, and report the error Reflex logged if it persists."));
        }
    }

    private static void respond(RoutingContext ctx, int status, Object body) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return; // the client hung up while the package compiled
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response body of " + body.getClass().getSimpleName(), e);
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(json);
    }
}
