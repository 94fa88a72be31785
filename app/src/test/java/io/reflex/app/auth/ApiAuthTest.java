package io.reflex.app.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ApiAuthTest {
    /** Every /api endpoint of the contract (ARCHITECTURE.md, README, issue 6 design) and what it needs. */
    private static final Map<String, Permission> CONTRACT = contract();

    private static Map<String, Permission> contract() {
        Map<String, Permission> c = new java.util.LinkedHashMap<>();
        for (String read : List.of("/api/incidents", "/api/incidents/inc-1", "/api/stream", "/api/status",
                "/api/rules", "/api/rules/3", "/api/actions", "/api/guardrails", "/api/whoami", "/api/drills",
                "/api/drills/runs/drill-x-20261126T100000Z")) {
            c.put("GET " + read, Permission.VIEW);
        }
        for (String compute : List.of("validate", "test", "replay", "explain")) {
            c.put("POST /api/rules/" + compute, Permission.VIEW);
        }
        c.put("POST /api/rules", Permission.DEPLOY);
        c.put("POST /api/rules/rollback/1", Permission.DEPLOY);
        c.put("POST /api/rules/shadow/promote", Permission.DEPLOY);
        c.put("DELETE /api/rules/shadow", Permission.DEPLOY);
        c.put("POST /api/actions/act-9/approve", Permission.APPROVE);
        c.put("POST /api/actions/act-9/reject", Permission.APPROVE);
        c.put("POST /api/pause", Permission.PAUSE);
        c.put("POST /api/resume", Permission.PAUSE);
        c.put("POST /api/guardrails/release/host:db-1", Permission.PAUSE);
        c.put("POST /api/silences", Permission.SILENCE);
        c.put("DELETE /api/silences/sil-1", Permission.SILENCE);
        c.put("POST /api/drills", Permission.DRILL);
        return c;
    }

    private static Permission required(String call) {
        String[] parts = call.split(" ", 2);
        return PermissionTable.required(parts[0], parts[1]);
    }

    @Test
    void everyEndpointOfTheContractNeedsItsPermission() {
        Map<String, Permission> actual = new java.util.LinkedHashMap<>();
        CONTRACT.keySet().forEach(call -> actual.put(call, required(call)));
        assertThat(actual).isEqualTo(CONTRACT);
    }

    @Test
    void everyTableRowIsAnEndpointOfTheContract() {
        List<String> rows = PermissionTable.ENTRIES.stream()
                .map(e -> e.method() + " " + e.path().replaceAll("\\{[^}]+}", "x")).toList();
        List<String> contract = CONTRACT.keySet().stream().filter(c -> !c.startsWith("GET "))
                .map(c -> c.replaceAll("/(inc-1|act-9|host:db-1|sil-1|1)(?=/|$)", "/x")).toList();
        assertThat(contract).containsExactlyInAnyOrderElementsOf(rows);
    }

    @Test
    void aChangeTheTableDoesNotNameIsForAdminsOnly() {
        for (String call : List.of("POST /api/drills/runs", "PUT /api/rules", "DELETE /api/rules", "POST /api/incidents",
                "PATCH /api/pause", "DELETE /api/actions/a/approve", "POST /api/rules/validate/extra",
                "POST /api/actions/approve", "OPTIONS /api/rules", "POST /api")) {
            assertThat(required(call)).as(call).isEqualTo(Permission.ADMIN);
        }
        assertThat(ApiRole.values()).filteredOn(r -> r.has(Permission.ADMIN)).containsExactly(ApiRole.ADMIN);
    }

    @Test
    void spellingsTheRouterMayAcceptFallUnderTheSameRule() {
        assertThat(required("POST /api/pause/")).isEqualTo(Permission.PAUSE);
        assertThat(required("POST //api//pause")).isEqualTo(Permission.PAUSE);
        assertThat(required("post /API/Pause")).isEqualTo(Permission.PAUSE);
        assertThat(required("POST /api/rules/")).isEqualTo(Permission.DEPLOY);
        assertThat(required("HEAD /api/rules")).isEqualTo(Permission.VIEW);
        for (String path : List.of("/api", "/api/", "/API/rules", "//api/pause", "/api/x/../pause")) {
            assertThat(PermissionTable.isApi(path)).as(path).isTrue();
        }
        for (String path : List.of("/", "/health", "/metrics", "/hooks/alertmanager", "/console/app.js", "/apix",
                "/index.html")) {
            assertThat(PermissionTable.isApi(path)).as(path).isFalse();
        }
    }

    @Test
    void rolesGrantWhatTheDesignSays() {
        Map<ApiRole, List<String>> granted = new java.util.EnumMap<>(ApiRole.class);
        for (ApiRole role : ApiRole.values()) {
            granted.put(role, role.permissionIds());
        }
        assertThat(granted).containsExactlyInAnyOrderEntriesOf(Map.of(
                ApiRole.VIEWER, List.of("view"),
                ApiRole.OPERATOR, List.of("view", "approve", "pause", "silence", "drill"),
                ApiRole.AUTHOR, List.of("view", "deploy"),
                ApiRole.ADMIN, List.of("view", "approve", "pause", "silence", "drill", "deploy", "admin")));
    }

    @Test
    void eachRoleMayCallExactlyItsEndpoints() {
        Map<ApiRole, List<String>> refused = new java.util.EnumMap<>(ApiRole.class);
        for (ApiRole role : ApiRole.values()) {
            List<String> calls = new ArrayList<>();
            CONTRACT.forEach((call, permission) -> {
                if (!role.has(required(call))) {
                    calls.add(call);
                }
            });
            refused.put(role, calls);
        }
        assertThat(refused.get(ApiRole.ADMIN)).isEmpty();
        assertThat(refused.get(ApiRole.VIEWER)).containsExactlyInAnyOrderElementsOf(CONTRACT.entrySet().stream()
                .filter(e -> e.getValue() != Permission.VIEW).map(Map.Entry::getKey).toList());
        assertThat(refused.get(ApiRole.OPERATOR)).containsExactlyInAnyOrder("POST /api/rules",
                "POST /api/rules/rollback/1", "POST /api/rules/shadow/promote", "DELETE /api/rules/shadow");
        assertThat(refused.get(ApiRole.AUTHOR)).containsExactlyInAnyOrder("POST /api/actions/act-9/approve",
                "POST /api/actions/act-9/reject", "POST /api/pause", "POST /api/resume",
                "POST /api/guardrails/release/host:db-1", "POST /api/silences", "DELETE /api/silences/sil-1",
                "POST /api/drills");
    }

    @Test
    void aRefusalNamesTheLeastRoleThatMay() {
        assertThat(Arrays.stream(Permission.values()).collect(Collectors.toMap(p -> p, Permission::leastRole)))
                .containsExactlyInAnyOrderEntriesOf(Map.of(Permission.VIEW, ApiRole.VIEWER,
                        Permission.APPROVE, ApiRole.OPERATOR, Permission.PAUSE, ApiRole.OPERATOR,
                        Permission.SILENCE, ApiRole.OPERATOR, Permission.DRILL, ApiRole.OPERATOR,
                        Permission.DEPLOY, ApiRole.AUTHOR,
                        Permission.ADMIN, ApiRole.ADMIN));
    }

    @Test
    void onlyAConfiguredTokenSentAsBearerAuthenticates() {
        ApiToken ana = new ApiToken("ana", ApiRole.ADMIN, "s3cret-ana-token");
        ApiToken val = new ApiToken("val", ApiRole.VIEWER, "s3cret-val-token");
        ApiAuth auth = new ApiAuth(List.of(ana, val));
        assertThat(auth.authenticate("Bearer s3cret-ana-token")).isEqualTo(ana);
        assertThat(auth.authenticate("bearer   s3cret-val-token ")).isEqualTo(val);
        assertThat(auth.authenticate(null)).isNull();
        assertThat(auth.authenticate("")).isNull();
        assertThat(auth.authenticate("Bearer ")).isNull();
        assertThat(auth.authenticate("s3cret-ana-token")).isNull();
        assertThat(auth.authenticate("Basic s3cret-ana-token")).isNull();
        assertThat(auth.authenticate("Bearer s3cret-ana-toke")).isNull();
        assertThat(auth.authenticate("Bearer s3cret-ana-token2")).isNull();
        assertThat(auth.authenticate("Bearer S3CRET-ANA-TOKEN")).isNull();
    }

    @Test
    void aTokenNeverShowsItsSecret() {
        ApiToken token = new ApiToken("ana", ApiRole.OPERATOR, "very-secret-value");
        assertThat(token.toString()).contains("ana", "operator").doesNotContain("very-secret-value");
        assertThat(new AuthConfig.TokenConfig("ana", "admin", "very-secret-value", null, null).toString())
                .doesNotContain("very-secret-value");
    }

    @Test
    void rolesParseByNameAndAnUnknownOneListsTheRoles() {
        assertThat(ApiRole.parse(" Operator ")).isEqualTo(ApiRole.OPERATOR);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ApiRole.parse("root")))
                .hasMessage("unknown role 'root'; roles are viewer, operator, author, admin");
    }
}
