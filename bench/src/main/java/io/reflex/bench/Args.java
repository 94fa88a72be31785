package io.reflex.bench;

import io.reflex.model.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} arguments with defaults; {@code --help} prints the usage and exits. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] argv, String usage) {
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--help") || argv[i].equals("-h")) {
                System.out.print(usage);
                System.exit(0);
            }
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                System.err.print("unexpected argument '" + argv[i] + "'\n" + usage);
                System.exit(2);
            }
            values.put(argv[i], argv[++i]);
        }
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }

    Duration duration(String name, Duration fallback) {
        return values.containsKey(name) ? Durations.parse(values.get(name)) : fallback;
    }

    List<Integer> integers(String name, List<Integer> fallback) {
        return values.containsKey(name)
                ? Arrays.stream(values.get(name).split(",")).map(String::trim).map(Integer::parseInt).toList()
                : fallback;
    }
}
