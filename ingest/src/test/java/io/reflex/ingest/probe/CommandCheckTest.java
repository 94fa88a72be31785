package io.reflex.ingest.probe;

import static io.reflex.ingest.probe.CommandCheck.judge;
import static io.reflex.ingest.probe.CommandCheck.lastLines;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.ingest.probe.CommandCheck.Outcome;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The verdict on a command's run and what of its output reaches the summary, without running anything. */
class CommandCheckTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void healthyOnTheExpectedExitCode() {
        assertThat(judge(new Outcome(0, "fine"), 0, TIMEOUT)).isEqualTo(CheckResult.up("exit code 0"));
        assertThat(judge(new Outcome(3, "degraded but expected"), 3, TIMEOUT)).isEqualTo(CheckResult.up("exit code 3"));
    }

    @Test
    void anyOtherExitCodeIsUnhealthyWithTheOutput() {
        assertThat(judge(new Outcome(1, "queue depth 5000"), 0, TIMEOUT))
                .isEqualTo(CheckResult.down("exit code 1", "queue depth 5000"));
        assertThat(judge(new Outcome(0, ""), 3, TIMEOUT)).isEqualTo(CheckResult.down("exit code 0 (expected 3)", ""));
    }

    @Test
    void aCommandKilledAfterTheTimeoutIsUnhealthy() {
        assertThat(judge(new Outcome(null, "waiting for lock"), 0, TIMEOUT))
                .isEqualTo(CheckResult.down("no exit within 2000 ms; killed it", "waiting for lock"));
    }

    @Test
    void keepsTheLastNonBlankLines() {
        assertThat(lastLines("1\n2\n\n3\n4\n5\n6\n7\n\n", false)).isEqualTo("3\n4\n5\n6\n7");
        assertThat(lastLines("", false)).isEmpty();
    }

    @Test
    void dropsThePartialFirstLineOfATail() {
        assertThat(lastLines("ial line\nwhole line\n", true)).isEqualTo("whole line");
    }

    @Test
    void cutsLongLinesAndStripsTerminalEscapesAndControls() {
        String longLine = "x".repeat(CommandCheck.LINE_CHARS + 50);

        assertThat(lastLines(longLine, false)).isEqualTo("x".repeat(CommandCheck.LINE_CHARS) + "…");
        assertThat(lastLines("\u001B[31mFAIL\u001B[0m\tdisk\u0007 full\r\n", false)).isEqualTo("FAIL disk full");
    }

    @Test
    void saysWhyAProgramCouldNotRun() {
        assertThat(CommandCheck.describe(new IOException(
                "Cannot run program \"pg_isready\": error=2, No such file or directory")))
                .isEqualTo("cannot run pg_isready: No such file or directory");
        assertThat(CommandCheck.describe(new IOException(
                "Cannot run program \"./check\" (in directory \"/srv\"): error=13, Permission denied")))
                .isEqualTo("cannot run ./check: Permission denied");
        assertThat(CommandCheck.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
