package io.reflex.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTemplateTest {

    @Test
    void placeholdersAreReplacedInsideTheirOwnArgument() {
        final CommandTemplate template = new CommandTemplate(List.of("systemctl", "restart", "{service}.service"));

        assertThat(template.placeholders()).containsExactly("service");
        assertThat(template.render(Map.of("service", "shop"))).containsExactly("systemctl", "restart", "shop.service");
    }

    @Test
    void bracesThatAreNotPlaceholdersStayLiteral() {
        final CommandTemplate template = new CommandTemplate(List.of("docker", "inspect", "--format={{.State}}", "{ x }"));

        assertThat(template.placeholders()).isEmpty();
        assertThat(template.render(Map.of())).containsExactly("docker", "inspect", "--format={{.State}}", "{ x }");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; touch /tmp/pwned", "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "../etc/passwd",
            "a b", "-oProxyCommand=x", "x\ny", "{{ lookup('pipe','id') }}", ""})
    void renderingRefusesValuesAShellOrAPathWouldInterpret(String hostile) {
        final CommandTemplate template = new CommandTemplate(List.of("systemctl", "restart", "{service}"));

        assertThatThrownBy(() -> template.render(Map.of("service", hostile)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{service}");
    }

    @Test
    void renderingRefusesAMissingValue() {
        assertThatThrownBy(() -> new CommandTemplate(List.of("echo", "{name}")).render(Map.of()))
                .hasMessage("no value for {name}");
    }

    @Test
    void shellJoinSingleQuotesEveryArgumentSoTheRemoteShellSeesTheSameWords() {
        assertThat(CommandTemplate.shellJoin(List.of("echo", "it's", "$(id)", "a b", "`x`;")))
                .isEqualTo("'echo' 'it'\\''s' '$(id)' 'a b' '`x`;'");
    }

    @Test
    void parseReportsStringsUnknownPlaceholdersAndBadArgumentsTogether() {
        final List<String> problems = new ArrayList<>();

        assertThat(CommandTemplate.parse("systemctl restart x", "commands.restart_service", Set.of("service"), problems))
                .isNull();
        assertThat(CommandTemplate.parse(List.of("systemctl", "{unit}", Map.of()), "commands.stop_service",
                Set.of("service"), problems)).isNull();

        assertThat(problems).containsExactly(
                "commands.restart_service: must be a list of arguments, e.g. [systemctl, restart, \"{service}.service\"],"
                        + " not a string: a string would need a shell to split it",
                "commands.stop_service[1]: unknown placeholder {unit}; this command may use {service}",
                "commands.stop_service[2]: must be a non-empty string, not a map");
    }
}
