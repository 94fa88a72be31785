package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StaticFilesTest {
    private final StaticFiles files = new StaticFiles(StaticFilesTest.class.getClassLoader());

    @Test
    void contentTypesSuitBrowsersAndEsModules() {
        assertThat(StaticFiles.contentType("app.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(StaticFiles.contentType("views/x.mjs")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(StaticFiles.contentType("style.CSS")).isEqualTo("text/css; charset=utf-8");
        assertThat(StaticFiles.contentType("logo.svg")).isEqualTo("image/svg+xml");
        assertThat(StaticFiles.contentType("shot.png")).isEqualTo("image/png");
        assertThat(StaticFiles.contentType("README")).isNull();
        assertThat(StaticFiles.contentType("run.sh")).isNull();
    }

    @Test
    void servesTheIndexWithAContentHashEtag() {
        StaticFiles.Asset index = files.asset("index.html");
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(index.etag()).matches("\"[A-Za-z0-9_-]{22}\"");
        assertThat(files.asset("index.html").etag()).isEqualTo(index.etag());
    }

    @Test
    void refusesPathsOutsideTheWebDirectory() {
        assertThat(files.asset("../IncidentView.class")).isNull();
        assertThat(files.asset("/index.html")).isNull();
        assertThat(files.asset("a/../../x.js")).isNull();
        assertThat(files.asset("missing.js")).isNull();
    }

    @Test
    void revalidationMatchesStrongWeakListedAndAnyTags() {
        assertThat(StaticFiles.matches("\"abc\"", "\"abc\"")).isTrue();
        assertThat(StaticFiles.matches("W/\"abc\"", "\"abc\"")).isTrue();
        assertThat(StaticFiles.matches("\"x\", \"abc\"", "\"abc\"")).isTrue();
        assertThat(StaticFiles.matches("*", "\"abc\"")).isTrue();
        assertThat(StaticFiles.matches("\"abd\"", "\"abc\"")).isFalse();
        assertThat(StaticFiles.matches(null, "\"abc\"")).isFalse();
    }
}
