// Produces the JDK's answers that @pollcast/date-template is tested against.
//
//   java -Djava.locale.providers=COMPAT GoldenGenerator.java <out.json>            golden matrix
//   java -Djava.locale.providers=COMPAT GoldenGenerator.java --zone-table <out.ts>  zone names table
//
// COMPAT locale data is what Java 8 (the runtime of the polling platform we mirror) used by default;
// it also gives a stable name for every zone. The program re-launches itself with COMPAT when started
// without it, so `java GoldenGenerator.java <out>` works as well. Output is deterministic: no clock,
// no default zone or locale leaks in (2-digit years are anchored at a fixed instant, see TWO_DIGIT_YEAR_START).

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DateFormatSymbols;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TimeZone;

public class GoldenGenerator {
    /** Two-digit years parse into [1945-06-01, 2045-06-01): the TypeScript tests pass the same anchor. */
    static final long TWO_DIGIT_YEAR_START = Instant.parse("1945-06-01T00:00:00Z").toEpochMilli();

    static final String[] ZONES = {
        "GMT", "America/Toronto", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata",
        "Australia/Lord_Howe", "EST", "GMT+05:45",
    };

    /** [pattern, "P" when the parse cases are part of the contract, "F" for format-only]. */
    static final String[][] PATTERNS = {
        // every format listed in open-connectors.md
        {"yyyy-MM-dd'T'HH:mm:ssXXX", "P"},
        {"yyyy-MM-dd'T'HH:mm:ssZ", "P"},
        {"yyyy-MM-dd'T'HH:mm:ss'Z'", "P"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "P"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "P"},
        {"yyyy-MM-dd", "P"},
        {"yyyy/MM/dd HH:mm:ss", "P"},
        {"MM/dd/yyyy", "P"},
        {"EEE, dd MMM yyyy HH:mm:ss Z", "P"},
        {"yyyy-MM-dd HH:mm:ss", "P"},
        // edge cases
        {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "P"},
        {"yyyy-MM-dd'T'HH:mm:ss,SSSXX", "P"},
        {"yyyy-MM-dd'T'HH:mmX", "P"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSSZZZZZ", "P"},
        {"hh:mm a", "P"},
        {"h:mm a, z", "P"},
        {"K:mm a", "P"},
        {"k:mm", "P"},
        {"kk:mm:ss KK:mm:ss", "P"},
        {"''yy", "P"},
        {"h 'o''clock' a, zzzz", "P"},
        {"zzzz", "P"},
        {"yyyy-MM-dd HH:mm:ss z", "P"},
        {"EEE MMM dd HH:mm:ss zzz yyyy", "P"},
        {"EEEE, MMMM d, yyyy h:mm:ss a zzzz", "P"},
        {"D", "F"}, // D alone parses against 1970, which has no day 366: Java rolls over to 1971, we refuse
        {"yyyy-DDD", "P"},
        {"G yyyy", "P"},
        {"yyyyy.MMMMM.dd GGG hh:mm aaa", "P"},
        {"yyyyMMddHHmmss", "P"},
        {"yyMMdd", "P"},
        {"dd.MM.yy HH:mm", "P"},
        {"y-M-d H:m:s.S", "P"},
        {"yy", "P"},
        {"y", "P"},
        {"yyy", "P"},
        {"MMM L LL LLL LLLL", "P"},
        {"MMMM", "P"},
        {"HH:mm:ss.SSS", "P"},
        {"YYYY-'W'ww-u", "P"},
        {"YYYY-'W'ww-EEE", "P"},
        {"XXX", "P"},
        {"X", "F"},
        {"XX", "F"},
        {"ZZZZ", "F"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "F"}, // Java reads 6 S as milliseconds; we read a fraction
        {"'Week' w 'of' YYYY, 'day' u F W E", "F"},
        {"YY ww W F u", "F"},
        {"EEEE", "F"},
        {"S SS SSS SSSS", "F"},
    };

    static final String[] INSTANTS = {
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "1969-07-20T20:17:40Z", "1950-06-15T12:00:00.500Z",
        "1960-02-29T06:30:00Z", "1965-03-15T08:00:00Z", "1980-05-01T00:00:00Z", "1999-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00Z", "2000-02-29T23:59:59.999Z", "2001-09-09T01:46:40Z",
        "2010-10-10T10:10:10.010Z", "2016-02-29T00:00:00Z", "2021-01-03T12:00:00Z", "2023-03-12T10:00:00Z",
        "2023-12-31T23:30:00Z", "2024-01-01T00:00:00Z", "2024-02-29T12:00:00Z",
        // America: spring forward (Toronto 07:00Z, Los Angeles 10:00Z) and fall back (06:00Z, 09:00Z)
        "2024-03-10T06:59:59.999Z", "2024-03-10T07:00:00Z", "2024-03-10T07:30:00Z", "2024-03-10T09:59:59Z",
        "2024-03-10T10:00:00Z", "2024-11-03T05:30:00Z", "2024-11-03T06:00:00Z", "2024-11-03T06:30:00Z",
        "2024-11-03T08:30:00Z", "2024-11-03T09:30:00Z",
        // Europe: 2024-03-31 and 2024-10-27 at 01:00Z
        "2024-03-31T00:59:59Z", "2024-03-31T01:00:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z",
        // Lord Howe: half-hour DST, ends 2024-04-06T15:00Z, starts 2024-10-05T15:30Z
        "2024-04-06T14:45:00Z", "2024-04-06T15:15:00Z", "2024-10-05T15:29:59.999Z", "2024-10-05T15:30:00Z",
        "1970-01-01T12:00:00Z", "2024-07-04T00:00:00Z", "2024-07-04T12:00:00Z", "2024-08-15T18:45:30.123Z",
        "2024-05-05T05:05:05.005Z", "2024-06-30T23:59:59.999Z", "2024-09-01T00:00:00Z", "2024-12-29T10:00:00Z",
        "2024-12-31T23:59:59Z", "2025-01-01T00:00:00.001Z", "2026-01-01T04:59:59Z", "2038-01-19T03:14:08Z",
        "2099-12-31T23:59:59Z",
    };

    /** [url template, render zone or "" for the default]. */
    static final String[][] URLS = {
        {"/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'", ""},
        {"/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'", "America/Toronto"},
        {"/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'", "Asia/Kolkata"},
        {"/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'", "GMT+05:45"},
        {"/hubs/crm/contacts?where=lastModified>'${gmtDate:yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}'&pageSize=100", "Europe/Berlin"},
        {"/x?since=${dateTimeZone:PST:yyyy-MM-dd HH:mm:ss z}", ""},
        {"/x?since=${dateTimeZone:-8:00:yyyy-MM-dd'T'HH:mm:ssZ}&until=${epoch}", ""},
        {"/x?a=${dateTimeZone:+6:00:EEE, dd MMM yyyy HH:mm:ss Z}", ""},
        {"/x?a=${dateTimeZone:America/Denver:yyyy-MM-dd'T'HH:mm:ssXXX}", ""},
        {"/x?a=${dateTimeZone:GMT+05:30:yyyy-MM-dd'T'HH:mm:ssXXX}&b=${dateTimeZone:EST:hh:mm a z}", ""},
        {"/x?a=${dateTimeZone:CET:yyyy-MM-dd'T'HH:mm:ss zzzz}&b=${dateTimeZone:GMT-8:HH:mm XX}", ""},
        {"/x?s=${epoch:s}&ms=${epoch:ms}&us=${epoch:us}&d=${date}", ""},
        {"/path/${gmtDate:yyyy/MM/dd}/items?day=${date:yyyy/MM/dd}", "America/Los_Angeles"},
        {"/x?q=${date:yyyy-MM-dd HH:mm:ss}", "Australia/Lord_Howe"},
    };

    /** Patterns the JDK refuses; the library must refuse them too. */
    static final String[] BAD_PATTERNS = {
        "yyyy-MM-dd'T", "yyyy-qq", "XXXX", "'unterminated", "yyyy-MM-ddTHH:mm", "bb", "yyyy-MM-dd'T'HH:mm:ss.fff",
    };

    public static void main(String[] args) throws Exception {
        if (!"COMPAT".equals(System.getProperty("java.locale.providers"))) {
            System.exit(relaunchWithCompat(args));
        }
        TimeZone.setDefault(TimeZone.getTimeZone("GMT"));
        Locale.setDefault(Locale.US);
        if (args.length == 2 && args[0].equals("--zone-table")) {
            write(Path.of(args[1]), zoneTable());
        } else if (args.length == 1) {
            write(Path.of(args[0]), golden());
        } else {
            System.err.println("usage: java GoldenGenerator.java <out.json> | --zone-table <out.ts>");
            System.exit(2);
        }
    }

    static int relaunchWithCompat(String[] args) throws IOException, InterruptedException {
        // Single-file source launch: the source file is one of this process's own arguments.
        String source = ProcessHandle.current().info().arguments().stream().flatMap(java.util.Arrays::stream)
                .filter(arg -> arg.endsWith("GoldenGenerator.java")).findFirst()
                .orElseThrow(() -> new IllegalStateException("run with -Djava.locale.providers=COMPAT"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.locale.providers=COMPAT");
        command.add(source);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    static void write(Path out, String content) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(out, content, StandardCharsets.UTF_8);
    }

    static SimpleDateFormat formatter(String pattern, TimeZone zone) {
        SimpleDateFormat sdf = new SimpleDateFormat(pattern, Locale.US);
        sdf.setTimeZone(zone);
        sdf.set2DigitYearStart(new Date(TWO_DIGIT_YEAR_START));
        sdf.setTimeZone(zone);
        return sdf;
    }

    static String golden() {
        StringBuilder json = new StringBuilder();
        json.append("{\n\"generator\":").append(quote("java/GoldenGenerator.java")).append(",\n");
        json.append("\"jdk\":").append(quote(System.getProperty("java.version"))).append(",\n");
        json.append("\"localeProviders\":").append(quote(System.getProperty("java.locale.providers"))).append(",\n");
        json.append("\"twoDigitYearStart\":").append(TWO_DIGIT_YEAR_START).append(",\n");
        json.append("\"zones\":").append(stringArray(ZONES)).append(",\n");
        long[] instants = new long[INSTANTS.length];
        json.append("\"instants\":[");
        for (int i = 0; i < INSTANTS.length; i++) {
            instants[i] = Instant.parse(INSTANTS[i]).toEpochMilli();
            json.append(i == 0 ? "" : ",").append(instants[i]);
        }
        json.append("],\n");
        // "patterns": [[pattern, parseChecked, formats[zone][instant], parseDeltas[zone][instant]]]
        // parseDelta = Java's parse of the formatted text minus the instant, or null when Java threw.
        json.append("\"patterns\":[\n");
        for (int p = 0; p < PATTERNS.length; p++) {
            String pattern = PATTERNS[p][0];
            boolean parseChecked = PATTERNS[p][1].equals("P");
            StringBuilder formats = new StringBuilder("[");
            StringBuilder parses = new StringBuilder("[");
            for (int z = 0; z < ZONES.length; z++) {
                TimeZone zone = TimeZone.getTimeZone(ZONES[z]);
                formats.append(z == 0 ? "[" : ",\n [");
                parses.append(z == 0 ? "[" : ",[");
                for (int i = 0; i < instants.length; i++) {
                    SimpleDateFormat sdf = formatter(pattern, zone);
                    String text = sdf.format(new Date(instants[i]));
                    formats.append(i == 0 ? "" : ",").append(quote(text));
                    if (parseChecked) {
                        String delta;
                        try {
                            delta = Long.toString(formatter(pattern, zone).parse(text).getTime() - instants[i]);
                        } catch (ParseException e) {
                            delta = "null";
                        }
                        parses.append(i == 0 ? "" : ",").append(delta);
                    }
                }
                formats.append("]");
                parses.append("]");
            }
            formats.append("]");
            parses.append("]");
            json.append(p == 0 ? "" : ",\n").append("[").append(quote(pattern)).append(",")
                    .append(parseChecked).append(",\n").append(formats).append(",\n")
                    .append(parseChecked ? parses.toString() : "null").append("]");
        }
        json.append("\n],\n");
        // "urls": [[template, zone, [rendered per instant]]]
        json.append("\"urls\":[\n");
        for (int u = 0; u < URLS.length; u++) {
            json.append(u == 0 ? "" : ",\n").append("[").append(quote(URLS[u][0])).append(",")
                    .append(quote(URLS[u][1])).append(",[");
            for (int i = 0; i < instants.length; i++) {
                json.append(i == 0 ? "" : ",").append(quote(renderUrl(URLS[u][0], URLS[u][1], instants[i])));
            }
            json.append("]]");
        }
        json.append("\n],\n");
        // "badPatterns": [[pattern, Java's message]]
        json.append("\"badPatterns\":[");
        for (int b = 0; b < BAD_PATTERNS.length; b++) {
            String message;
            try {
                new SimpleDateFormat(BAD_PATTERNS[b], Locale.US);
                message = "ACCEPTED";
            } catch (IllegalArgumentException e) {
                message = e.getMessage();
            }
            json.append(b == 0 ? "\n" : ",\n").append("[").append(quote(BAD_PATTERNS[b])).append(",")
                    .append(quote(message)).append("]");
        }
        json.append("\n]\n}\n");
        return json.toString();
    }

    /** The placeholder rules of the library's README, written independently on top of the JDK. */
    static String renderUrl(String template, String renderZone, long instant) {
        StringBuilder out = new StringBuilder();
        int cursor = 0;
        while (true) {
            int start = template.indexOf("${", cursor);
            if (start < 0) break;
            int end = template.indexOf('}', start);
            out.append(template, cursor, start);
            boolean inQuery = template.lastIndexOf('?', start) >= 0 || template.lastIndexOf('#', start) >= 0;
            String value = renderPlaceholder(template.substring(start + 2, end), renderZone, instant);
            out.append(inQuery ? encodeUriComponent(value) : encodeUri(value));
            cursor = end + 1;
        }
        out.append(template.substring(cursor));
        return out.toString();
    }

    static String renderPlaceholder(String body, String renderZone, long instant) {
        if (body.equals("date") || body.equals("epoch") || body.equals("epoch:ms")) return Long.toString(instant);
        if (body.equals("epoch:s")) return Long.toString(Math.floorDiv(instant, 1000L));
        if (body.equals("epoch:us")) return Long.toString(instant * 1000L);
        if (body.startsWith("date:")) {
            String zone = renderZone.isEmpty() ? "GMT" : renderZone;
            return formatter(body.substring(5), TimeZone.getTimeZone(zone)).format(new Date(instant));
        }
        if (body.startsWith("gmtDate:")) {
            return formatter(body.substring(8), TimeZone.getTimeZone("GMT")).format(new Date(instant));
        }
        if (body.startsWith("dateTimeZone:")) {
            String rest = body.substring(13);
            java.util.regex.Matcher offset = java.util.regex.Pattern
                    .compile("^((?:GMT|UTC)?[+-]\\d{1,2}:\\d{2}):(.*)$").matcher(rest);
            String zone;
            String pattern;
            if (offset.matches()) {
                zone = offset.group(1);
                pattern = offset.group(2);
            } else {
                zone = rest.substring(0, rest.indexOf(':'));
                pattern = rest.substring(rest.indexOf(':') + 1);
            }
            if (zone.startsWith("+") || zone.startsWith("-")) zone = "GMT" + zone; // Java only knows GMT+h:mm
            return formatter(pattern, TimeZone.getTimeZone(zone)).format(new Date(instant));
        }
        throw new IllegalArgumentException("unknown placeholder " + body);
    }

    static String encodeUriComponent(String value) {
        return percentEncode(value, "-_.!~*'()");
    }

    static String encodeUri(String value) {
        return percentEncode(value, "-_.!~*'();,/?:@&=+$#");
    }

    static String percentEncode(String value, String keep) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || keep.indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /**
     * One line per Java zone id: id|rawOffsetMinutes|dstSavingsMinutes|searchOrder|short std|long std|short dst|long dst.
     * searchOrder is the row in DateFormatSymbols.getZoneStrings() (the order SimpleDateFormat tries names
     * when parsing 'z'), or -1 when the id has no row there.
     */
    static String zoneTable() {
        String[][] zoneStrings = DateFormatSymbols.getInstance(Locale.US).getZoneStrings();
        Set<String> ids = new LinkedHashSet<>();
        for (String[] row : zoneStrings) ids.add(row[0]);
        for (String id : TimeZone.getAvailableIDs()) ids.add(id);
        StringBuilder lines = new StringBuilder();
        for (String id : ids) {
            TimeZone tz = TimeZone.getTimeZone(id);
            int order = -1;
            for (int r = 0; r < zoneStrings.length; r++) {
                if (zoneStrings[r][0].equals(id)) {
                    order = r;
                    break;
                }
            }
            lines.append(id).append('|').append(tz.getRawOffset() / 60000).append('|')
                    .append(tz.getDSTSavings() / 60000).append('|').append(order).append('|')
                    .append(tz.getDisplayName(false, TimeZone.SHORT, Locale.US)).append('|')
                    .append(tz.getDisplayName(false, TimeZone.LONG, Locale.US)).append('|')
                    .append(tz.getDisplayName(true, TimeZone.SHORT, Locale.US)).append('|')
                    .append(tz.getDisplayName(true, TimeZone.LONG, Locale.US)).append('\n');
        }
        return "// Generated by libs/date-template/java/GoldenGenerator.java --zone-table (JDK "
                + System.getProperty("java.version") + ", COMPAT locale data). Do not edit.\n"
                + "// Long (one row per JDK zone id) and repetitive (zones of one region share offsets and names) because it\n"
                + "// is data copied from the JDK, not code: rows repeat by design, and splitting or compressing it would only\n"
                + "// make regenerating and diffing it against the JDK harder.\n"
                + "// id|rawOffsetMinutes|dstSavingsMinutes|zoneStringsRow|short std|long std|short dst|long dst\n"
                + "export const JAVA_ZONE_TABLE = `\n" + lines + "`;\n";
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    static String stringArray(String[] values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) out.append(i == 0 ? "" : ",").append(quote(values[i]));
        return out.append("]").toString();
    }
}
