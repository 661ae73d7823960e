package flowc.peers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.FlumeException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/**
 * A load generator on Flume's own RpcClient (the client Flume's avro sink and avro-client use).
 * Bodies are the event's sequence number, padded with 'x' to --body-size, so a receiver can
 * count what arrived. With --threads T, T clients (each its own connection and thread) send at
 * once, each a contiguous share of the sequence numbers, so that a benchmark can offer a server
 * more than one client with one batch in flight can. With --warmup W, the clients first send W
 * events more (sequence numbers after the measured ones), all together, and the clock and CPU
 * count start once every client is done with its share of them: the JIT compilers have run by
 * then, in the client and in a JVM server, so the figures are the steady state's.
 *
 * Usage: RpcLoad --port N [--host H] [--mode append|appendBatch] [--events N] [--batch B]
 *   [--body-size S] [--start K] [--header k=v]... [--compression deflate] [--compression-level L]
 *   [--ssl] [--truststore F --truststore-password P --truststore-type T | --trust-all]
 *   [--connect-timeout MS] [--request-timeout MS] [--threads T]
 *   [--warmup W]
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

    int threads = Integer.parseInt(opt.getOrDefault("threads", "1"));
    if (threads < 1) usage("--threads is at least 1");
    long warmup = Long.parseLong(opt.getOrDefault("warmup", "0"));
    Sender[] senders = new Sender[threads];
    long from = start;
    long warmFrom = start + events;
    // Every client waits here after its warm-up; the last one to arrive starts the clock.
    long[] clock = new long[2];
    CyclicBarrier ready = new CyclicBarrier(threads, () -> {
      clock[0] = System.nanoTime();
      clock[1] = cpuNanos();
    });
    for (int t = 0; t < threads; t++) {
      long share = events / threads + (t < events % threads ? 1 : 0);
      long warm = warmup / threads + (t < warmup % threads ? 1 : 0);
      senders[t] = new Sender(p, mode, from, share, warmFrom, warm, ready, batch, bodySize, headers);
      from += share;
      warmFrom += warm;
    }
    Thread[] running = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      running[t] = new Thread(senders[t], "rpcload-" + t);
      running[t].start();
    }
    for (Thread t : running) t.join();
    long elapsedNs = System.nanoTime() - clock[0];
    long cpuNs = cpuNanos() - clock[1];
    long sent = 0;
    long failed = 0;
    String firstError = null;
    for (Sender x : senders) {
      sent += x.sent;
      failed += x.failed;
      if (firstError == null) firstError = x.firstError;
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("sent", sent);
    report.put("failed", failed);
    report.put("elapsedMs", elapsedNs / 1_000_000);
    report.put("eventsPerSec", elapsedNs == 0 ? 0 : Math.round(sent * 1e9 / elapsedNs));
    report.put("threads", threads);
    report.put("warmup", warmup);
    // The client's own CPU (all its threads, user + system) while sending: what the load costs.
    report.put("cpuMs", cpuNs / 1_000_000);
    if (firstError != null) report.put("error", firstError);
    System.out.println(Json.of(report));
    System.out.flush();
    Runtime.getRuntime().halt(failed == 0 ? 0 : 1);
  }

  /** One client on its own connection, sending `count` events from sequence number `from`. */
  private static final class Sender implements Runnable {
    private final Properties p;
    private final String mode;
    private final long from;
    private final long count;
    private final long warmFrom;
    private final long warmCount;
    private final CyclicBarrier ready;
    private final int batch;
    private final int bodySize;
    private final Map<String, String> headers;
    long sent;
    long failed;
    String firstError;

    Sender(Properties p, String mode, long from, long count, long warmFrom, long warmCount, CyclicBarrier ready, int batch, int bodySize, Map<String, String> headers) {
      this.p = p;
      this.mode = mode;
      this.from = from;
      this.count = count;
      this.warmFrom = warmFrom;
      this.warmCount = warmCount;
      this.ready = ready;
      this.batch = batch;
      this.bodySize = bodySize;
      this.headers = headers;
    }

    private RpcClient client;

    @Override
    public void run() {
      send(warmFrom, warmCount);
      long warmSent = sent;
      try {
        ready.await();
      } catch (InterruptedException | BrokenBarrierException e) {
        throw new IllegalStateException(e);
      }
      // `sent` counts the measured events; a failure of the warm-up still fails the run.
      sent -= warmSent;
      send(from, count);
      if (client != null) client.close();
    }

    private void send(long from, long count) {
      List<Event> pending = new ArrayList<>(batch);
      for (long n = from; n < from + count; n++) {
        pending.add(EventBuilder.withBody(body(n, bodySize), headers));
        if (pending.size() < batch && n + 1 < from + count) continue;
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
    }
  }

  private static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
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
        + " --truststore-type T | --trust-all] [--connect-timeout MS] [--request-timeout MS]"
        + " [--threads T] [--warmup W]");
    System.exit(2);
  }
}
