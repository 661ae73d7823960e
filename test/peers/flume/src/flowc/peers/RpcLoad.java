package flowc.peers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.FlumeException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/**
 * A load generator on Flume's own RpcClient (the client Flume's avro sink and avro-client use).
 * Bodies are the event's sequence number, padded with 'x' to --body-size, so a receiver can
 * count what arrived.
 *
 * Usage: RpcLoad --port N [--host H] [--mode append|appendBatch] [--events N] [--batch B]
 *   [--body-size S] [--start K] [--header k=v]... [--compression deflate] [--compression-level L]
 *   [--ssl] [--truststore F --truststore-password P --truststore-type T | --trust-all]
 *   [--connect-timeout MS] [--request-timeout MS]
 * Prints {"sent","failed","elapsedMs","eventsPerSec"} and exits 1 if any call failed.
 */
public final class RpcLoad {
  public static void main(String[] argv) throws Exception {
    Map<String, String> opt = new HashMap<>();
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) usage("unexpected argument " + a);
      String name = a.substring(2);
      if (name.equals("ssl") || name.equals("trust-all")) {
        opt.put(name, "true");
        continue;
      }
      if (i + 1 >= argv.length) usage(a + " needs a value");
      String value = argv[++i];
      if (name.equals("header")) {
        int eq = value.indexOf('=');
        if (eq <= 0) usage("--header takes k=v");
        headers.put(value.substring(0, eq), value.substring(eq + 1));
      } else {
        opt.put(name, value);
      }
    }
    if (!opt.containsKey("port")) usage("--port is required");
    String mode = opt.getOrDefault("mode", "appendBatch");
    if (!mode.equals("append") && !mode.equals("appendBatch")) usage("--mode is append or appendBatch");
    long events = Long.parseLong(opt.getOrDefault("events", "1000"));
    int batch = mode.equals("append") ? 1 : Integer.parseInt(opt.getOrDefault("batch", "100"));
    int bodySize = Integer.parseInt(opt.getOrDefault("body-size", "0"));
    long start = Long.parseLong(opt.getOrDefault("start", "0"));

    Properties p = new Properties();
    p.setProperty("client.type", "default");
    p.setProperty("hosts", "h1");
    p.setProperty("hosts.h1", opt.getOrDefault("host", "127.0.0.1") + ":" + opt.get("port"));
    p.setProperty("batch-size", Integer.toString(Math.max(batch, 1)));
    copy(opt, p, "connect-timeout", "connect-timeout");
    copy(opt, p, "request-timeout", "request-timeout");
    copy(opt, p, "compression", "compression-type");
    copy(opt, p, "compression-level", "compression-level");
    copy(opt, p, "ssl", "ssl");
    copy(opt, p, "trust-all", "trust-all-certs");
    copy(opt, p, "truststore", "truststore");
    copy(opt, p, "truststore-password", "truststore-password");
    copy(opt, p, "truststore-type", "truststore-type");

    RpcClient client = null;
    long sent = 0;
    long failed = 0;
    String firstError = null;
    long t0 = System.nanoTime();
    List<Event> pending = new ArrayList<>(batch);
    for (long n = start; n < start + events; n++) {
      pending.add(EventBuilder.withBody(body(n, bodySize), headers));
      if (pending.size() < batch && n + 1 < start + events) continue;
      try {
        if (client == null) client = RpcClientFactory.getInstance(p);
        if (mode.equals("append")) client.append(pending.get(0));
        else client.appendBatch(pending);
        sent += pending.size();
      } catch (EventDeliveryException | FlumeException e) {
        failed += pending.size();
        if (firstError == null) firstError = e.toString();
        // A failed NettyAvroRpcClient is closed for good; the next call connects again.
        if (client != null) client.close();
        client = null;
      }
      pending.clear();
    }
    long elapsedNs = System.nanoTime() - t0;
    if (client != null) client.close();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("sent", sent);
    report.put("failed", failed);
    report.put("elapsedMs", elapsedNs / 1_000_000);
    report.put("eventsPerSec", elapsedNs == 0 ? 0 : Math.round(sent * 1e9 / elapsedNs));
    if (firstError != null) report.put("error", firstError);
    System.out.println(Json.of(report));
    System.out.flush();
    Runtime.getRuntime().halt(failed == 0 ? 0 : 1);
  }

  private static byte[] body(long n, int size) {
    byte[] digits = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    if (size <= digits.length) return digits;
    byte[] out = Arrays.copyOf(digits, size);
    Arrays.fill(out, digits.length, size, (byte) 'x');
    return out;
  }

  private static void copy(Map<String, String> opt, Properties p, String from, String to) {
    String v = opt.get(from);
    if (v != null) p.setProperty(to, v);
  }

  private static void usage(String why) {
    System.err.println("RpcLoad: " + why);
    System.err.println("usage: RpcLoad --port N [--host H] [--mode append|appendBatch] [--events N]"
        + " [--batch B] [--body-size S] [--start K] [--header k=v]... [--compression deflate]"
        + " [--compression-level L] [--ssl] [--truststore F --truststore-password P"
        + " --truststore-type T | --trust-all] [--connect-timeout MS] [--request-timeout MS]");
    System.exit(2);
  }
}
