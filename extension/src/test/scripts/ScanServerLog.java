import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Fails (exit code 1) when the integration suite's server log holds any provider key a test sent: the key itself, or
 * its longest run of printable ASCII (a key whose odd characters the log wrote differently). Run by Maven after the
 * tests: java ScanServerLog.java target/it-keys.txt target/keycloak-it.log [more logs…]
 */
public class ScanServerLog {
    private static final int MIN_CORE = 12;

    public static void main(String[] args) throws Exception {
        Path keysFile = Path.of(args[0]);
        if (!Files.exists(keysFile)) {
            System.out.println("Key scan: nothing to scan (" + keysFile + " is missing)");
            return;
        }
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(keysFile)) {
            if (!line.isBlank()) {
                keys.add(new String(Base64.getDecoder().decode(line.trim()), StandardCharsets.UTF_8));
            }
        }
        int leaks = 0;
        for (int i = 1; i < args.length; i++) {
            leaks += scan(keys, Path.of(args[i]));
        }
        if (leaks > 0) {
            System.exit(1);
        }
    }

    /** The number of keys found in one log (each reported with its line). */
    private static int scan(List<String> keys, Path log) throws Exception {
        if (!Files.exists(log)) {
            System.out.println("Key scan: nothing to scan (" + log + " is missing)");
            return 0;
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        int leaks = 0;
        for (String key : keys) {
            String core = longestPrintableRun(key);
            int at = text.indexOf(key);
            if (at < 0 && core.length() >= MIN_CORE) {
                at = text.indexOf(core);
            }
            if (at >= 0) {
                leaks++;
                int lineStart = text.lastIndexOf('\n', at) + 1;
                System.out.println("Key scan: a key the tests set (hint …" + hint(key) + ", " + key.length()
                        + " characters) is in " + log + " at line "
                        + (text.substring(0, lineStart)
                                        .chars()
                                        .filter(c -> c == '\n')
                                        .count()
                                + 1));
            }
        }
        System.out.println("Key scan: " + keys.size() + " keys set by the tests, " + text.length()
                + " characters of server log " + log.getFileName() + ", " + leaks + " found");
        return leaks;
    }

    private static String longestPrintableRun(String key) {
        String best = "";
        int start = 0;
        for (int i = 0; i <= key.length(); i++) {
            if (i == key.length() || key.charAt(i) <= 0x20 || key.charAt(i) >= 0x7F) {
                if (i - start > best.length()) {
                    best = key.substring(start, i);
                }
                start = i + 1;
            }
        }
        return best;
    }

    private static String hint(String key) {
        String core = longestPrintableRun(key);
        return core.length() >= 4 ? core.substring(core.length() - 4) : "";
    }
}
