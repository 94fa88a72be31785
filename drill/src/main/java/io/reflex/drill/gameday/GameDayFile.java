package io.reflex.drill.gameday;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillProblem;
import io.reflex.drill.DrillYaml;
import io.reflex.model.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads GameDay files (YAML) into {@link GameDay}s, with the drill files they name. It reads the
 * whole file, and every drill file, before it complains, so one run names every problem with its
 * path ({@code drills[2].repeat}, {@code drills[0].file (kill.yaml): fault.type}).
 *
 * <pre>
 * name: nightly
 * drills:
 *   - kill-demo-shop.yaml          # a drill file, relative to this file
 *   - file: stop-db.yaml
 *     repeat: 3                    # runs in a row; default 1
 *     pauseBetween: 10s            # after each run; default 5s
 *     stopOnFailure: true          # a failed run ends the GameDay; default false
 * </pre>
 */
public final class GameDayFile {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> TOP = Set.of("name", "drills", "description");
    private static final Set<String> ENTRY = Set.of("file", "repeat", "pauseBetween", "stopOnFailure");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private GameDayFile() {
    }

    /** @throws DrillFileException with every problem of the GameDay file and of its drill files */
    public static GameDay read(Path file) {
        String text = DrillYaml.readString(file);
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), path -> DrillFile.read(base.resolve(path)), base);
    }

    /**
     * @param source what to call the text in messages (its file name)
     * @param drills reads a drill file, given its path as the GameDay writes it (production: {@link DrillFile#read}
     *               of the path resolved against {@code base})
     * @param base   what relative drill file paths are relative to (the entry's {@link GameDay.Entry#file})
     */
    public static GameDay parse(String text, String source, Function<Path, DrillDefinition> drills, Path base) {
        JsonNode root = DrillYaml.root(text, source,
                "must be a YAML mapping with name and drills (a list of drill files)");
        Reader reader = new Reader(drills, base);
        GameDay gameDay = reader.gameDay(root);
        reader.yaml.throwIfProblems(source);
        return gameDay;
    }

    /** Whether {@code file} looks like a GameDay (a mapping with {@code drills}) rather than one drill. */
    public static boolean isGameDay(Path file) {
        try {
            JsonNode root = YAML.readTree(Files.readString(file));
            return root != null && root.isObject() && root.has("drills");
        } catch (IOException | RuntimeException e) {
            // Unreadable: the reader that runs it next says why.
            return false;
        }
    }

    private static final class Reader {
        final DrillYaml yaml = new DrillYaml("GameDay");
        final Function<Path, DrillDefinition> drills;
        final Path base;

        Reader(Function<Path, DrillDefinition> drills, Path base) {
            this.drills = drills;
            this.base = base;
        }

        GameDay gameDay(JsonNode root) {
            yaml.unknownKeys(root, "", TOP);
            String name = null;
            JsonNode nameNode = root.get("name");
            if (nameNode == null || nameNode.isNull() || nameNode.asText().isBlank()) {
                yaml.problem("name", "is missing; name the GameDay (letters, digits, '.', '_', '-'), e.g. nightly");
            } else if (!nameNode.isValueNode() || !NAME.matcher(nameNode.asText().trim()).matches()) {
                yaml.problem("name", "'" + nameNode.asText() + "' is not a GameDay name: use letters, digits, '.', '_'"
                        + " and '-' (it becomes part of the report id)");
            } else {
                name = nameNode.asText().trim();
            }
            List<GameDay.Entry> entries = new ArrayList<>();
            JsonNode list = root.get("drills");
            if (list == null || list.isNull()) {
                yaml.problem("drills", "is missing; list the drill files to run, e.g. drills: [kill-demo-shop.yaml]");
            } else if (!list.isArray() || list.isEmpty()) {
                yaml.problem("drills", "must be a non-empty list of drill files (each a path, or a mapping with file,"
                        + " repeat, pauseBetween and stopOnFailure)");
            } else {
                for (int i = 0; i < list.size(); i++) {
                    GameDay.Entry entry = entry(list.get(i), "drills[" + i + "]");
                    if (entry != null) {
                        entries.add(entry);
                    }
                }
            }
            return yaml.problems().isEmpty() ? new GameDay(name, entries) : null;
        }

        GameDay.Entry entry(JsonNode node, String path) {
            String file;
            int repeat = 1;
            Duration pause = GameDay.DEFAULT_PAUSE;
            boolean stop = false;
            boolean bad = false;
            if (node.isTextual()) {
                file = node.asText().trim();
                if (file.isEmpty()) {
                    yaml.problem(path, "is empty; write a drill file path, relative to this GameDay file");
                    return null;
                }
            } else if (node.isObject()) {
                yaml.unknownKeys(node, path + ".", ENTRY);
                JsonNode f = node.get("file");
                if (f == null || f.isNull() || !f.isTextual() || f.asText().isBlank()) {
                    yaml.problem(path + ".file",
                            "is missing; write the drill file path, relative to this GameDay file");
                    file = null;
                    bad = true;
                } else {
                    file = f.asText().trim();
                }
                JsonNode r = node.get("repeat");
                if (r != null && !r.isNull()) {
                    if (r.canConvertToInt() && r.isIntegralNumber() && r.asInt() >= 1) {
                        repeat = r.asInt();
                    } else {
                        yaml.problem(path + ".repeat",
                                "'" + r.asText() + "' is not a number of runs; write a whole number"
                                + " of 1 or more (default 1)");
                        bad = true;
                    }
                }
                JsonNode p = node.get("pauseBetween");
                if (p != null && !p.isNull()) {
                    try {
                        pause = Durations.parse(p.asText());
                        if (pause.isNegative()) {
                            yaml.problem(path + ".pauseBetween",
                                    "must not be negative; write e.g. 5s, or 0s for no pause");
                            bad = true;
                        }
                    } catch (IllegalArgumentException e) {
                        yaml.problem(path + ".pauseBetween", e.getMessage());
                        bad = true;
                    }
                }
                JsonNode s = node.get("stopOnFailure");
                if (s != null && !s.isNull()) {
                    if (s.isBoolean()) {
                        stop = s.asBoolean();
                    } else {
                        yaml.problem(path + ".stopOnFailure", "'" + s.asText() + "' is not true or false");
                        bad = true;
                    }
                }
            } else {
                yaml.problem(path, "must be a drill file path or a mapping with file (and repeat, pauseBetween,"
                        + " stopOnFailure)");
                return null;
            }
            if (file == null) {
                return null;
            }
            Path drillPath = base == null ? Path.of(file) : base.resolve(file);
            DrillDefinition drill = null;
            try {
                drill = drills.apply(Path.of(file));
            } catch (DrillFileException e) {
                String where = path + (node.isObject() ? ".file" : "") + " (" + file + ")";
                for (DrillProblem problem : e.problems()) {
                    yaml.problem(where + ": " + problem.path(), problem.message());
                }
                bad = true;
            }
            return bad ? null : new GameDay.Entry(drillPath, drill, repeat, pause, stop);
        }
    }
}
