package flowc.peers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Calendar;
import java.util.HashMap;
import java.util.Map;
import java.util.TimeZone;
import org.apache.flume.formatter.output.BucketPath;

/**
 * Runs path templates through Flume's own BucketPath.escapeString, so flowc's escapes can be
 * compared with the real thing. One case per stdin line, tab-separated, each field base64 (UTF-8):
 * template, timeZone ("" = JVM default), round unit ("" = no rounding; second|minute|hour),
 * round value, useLocalTimeStamp ("true"/"false"), the clock's now in ms, and the headers as
 * key NUL value NUL key NUL value. Prints "OK\t<base64 result>" or "ERR\t<base64 exception>".
 */
public final class BucketPathCheck {
  private static String dec(String s) {
    return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }

  private static String enc(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t", -1);
      String template = dec(f[0]);
      String zone = dec(f[1]);
      String unitName = dec(f[2]);
      int value = Integer.parseInt(dec(f[3]));
      boolean useLocal = Boolean.parseBoolean(dec(f[4]));
      final long now = Long.parseLong(dec(f[5]));
      Map<String, String> headers = new HashMap<>();
      String[] kv = dec(f[6]).split("\u0000", -1);
      for (int i = 0; i + 1 < kv.length; i += 2) headers.put(kv[i], kv[i + 1]);
      int unit = unitName.equals("hour") ? Calendar.HOUR_OF_DAY
          : unitName.equals("minute") ? Calendar.MINUTE : Calendar.SECOND;
      BucketPath.setClock(() -> now);
      try {
        String out = BucketPath.escapeString(template, headers,
            zone.isEmpty() ? null : TimeZone.getTimeZone(zone), !unitName.isEmpty(), unit, value, useLocal);
        System.out.println("OK\t" + enc(out));
      } catch (RuntimeException e) {
        System.out.println("ERR\t" + enc(e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    }
    System.out.flush();
  }
}
