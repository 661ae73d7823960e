package flowc.peers;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flume.Context;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.apache.flume.Sink;
import org.apache.flume.SinkProcessor;
import org.apache.flume.SinkRunner;
import org.apache.flume.Source;
import org.apache.flume.SourceRunner;
import org.apache.flume.channel.ChannelProcessor;
import org.apache.flume.Channel;
import org.apache.flume.conf.ComponentConfiguration;
import org.apache.flume.conf.FlumeConfiguration;
import org.apache.flume.conf.FlumeConfigurationError;
import org.apache.flume.conf.sink.SinkConfiguration;
import org.apache.flume.conf.sink.SinkGroupConfiguration;
import org.apache.flume.conf.source.SourceConfiguration;
import org.apache.flume.node.FileConfigurationSource;
import org.apache.flume.node.FlowcPropertiesAccess;
import org.apache.flume.node.MaterializedConfiguration;
import org.apache.flume.node.UriConfigurationProvider;

/**
 * Loads a properties file the way `flume-ng agent -n NAME -f FILE` does (Application →
 * UriConfigurationProvider → FlumeConfiguration → AbstractConfigurationProvider), creating and
 * configuring every component without starting any, and prints one JSON object: what Flume
 * declared, kept after validation, materialised, and dropped, with FlumeConfiguration's errors
 * and the warnings Flume logged.
 *
 * Usage: ConfigCheck FILE AGENT [FILE AGENT]... (one JSON line per pair, in order)
 */
public final class ConfigCheck {
  private static final String[] KINDS = {"sources", "channels", "sinks", "sinkgroups"};

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args.length % 2 != 0) {
      System.err.println("usage: ConfigCheck FILE AGENT [FILE AGENT]...");
      System.exit(2);
    }
    // Flume logs through log4j2 to a followed System.err; collect it for each report.
    PrintStream realErr = System.err;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logged, true, "UTF-8"));
    for (int i = 0; i < args.length; i += 2) {
      logged.reset();
      Map<String, Object> report;
      try {
        report = check(new File(args[i]), args[i + 1]);
      } catch (Exception e) {
        report = new LinkedHashMap<>();
        report.put("agent", args[i + 1]);
        report.put("unreadable", e.toString());
      }
      System.err.flush();
      report.put("log", logged.toString("UTF-8"));
      System.out.println(Json.of(report));
      System.out.flush();
    }
    System.setErr(realErr);
    // Components may have started helper threads while configuring; do not wait for them.
    Runtime.getRuntime().halt(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> check(File file, String agent) throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("agent", agent);
    Map<String, String> props = resolvedProperties(file);
    // The provider Application uses for `-f FILE`, reading the file once for both steps.
    UriConfigurationProvider provider = new UriConfigurationProvider(agent,
        Collections.singletonList(new FileConfigurationSource(file.toURI())), null, null, 0) {
      private FlumeConfiguration loaded;

      @Override
      public FlumeConfiguration getFlumeConfiguration() {
        if (loaded == null) loaded = super.getFlumeConfiguration();
        return loaded;
      }
    };

    FlumeConfiguration flume = provider.getFlumeConfiguration();
    List<Object> errors = new ArrayList<>();
    if (flume != null) {
      for (FlumeConfigurationError e : flume.getConfigurationErrors()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("component", e.getComponentName());
        m.put("key", e.getKey());
        m.put("type", e.getErrorType().name());
        m.put("level", e.getErrorOrWarning().name());
        m.put("message", e.getErrorType().getError());
        errors.add(m);
      }
    }
    report.put("errors", errors);

    Map<String, Object> declared = new LinkedHashMap<>();
    for (String kind : KINDS) declared.put(kind, names(props.get(agent + "." + kind)));
    report.put("declared", declared);

    FlumeConfiguration.AgentConfiguration conf = flume == null ? null : flume.getConfigurationFor(agent);
    report.put("found", conf != null);
    report.put("kept", conf == null ? null : kept(conf, props, agent));

    Map<String, Object> materialised = new LinkedHashMap<>();
    String fatal = null;
    try {
      MaterializedConfiguration m = provider.getConfiguration();
      materialised.put("sources", new TreeSet<>(m.getSourceRunners().keySet()));
      materialised.put("channels", new TreeSet<>(m.getChannels().keySet()));
      Set<String> sinks = new TreeSet<>();
      Set<String> groups = new TreeSet<>();
      Map<String, ComponentConfiguration> groupConf =
          conf == null ? Collections.emptyMap() : conf.getSinkGroupConfigMap();
      for (String runner : m.getSinkRunners().keySet()) {
        ComponentConfiguration g = groupConf.get(runner);
        if (g instanceof SinkGroupConfiguration) {
          groups.add(runner);
          sinks.addAll(((SinkGroupConfiguration) g).getSinks());
        } else {
          sinks.add(runner);
        }
      }
      materialised.put("sinks", sinks);
      materialised.put("sinkgroups", groups);
      Map<String, Object> wiring = new TreeMap<>();
      for (Map.Entry<String, SourceRunner> e : m.getSourceRunners().entrySet()) {
        List<String> used = new ArrayList<>();
        for (Channel c : e.getValue().getSource().getChannelProcessor().getSelector().getAllChannels()) {
          used.add(c.getName());
        }
        wiring.put(e.getKey(), used);
      }
      materialised.put("sourceChannels", wiring);
      materialised.put("classes", classes(m));
    } catch (RuntimeException | LinkageError e) {
      // Application.main ends here too: the agent does not start at all.
      fatal = e.toString();
      for (String kind : KINDS) materialised.put(kind, Collections.emptyList());
    }
    report.put("materialised", materialised);
    report.put("fatal", fatal);

    Map<String, Object> dropped = new LinkedHashMap<>();
    for (String kind : KINDS) {
      Set<String> gone = new TreeSet<>((Collection<String>) declared.get(kind));
      gone.removeAll((Collection<?>) materialised.get(kind));
      dropped.put(kind, gone);
    }
    report.put("dropped", dropped);
    return report;
  }

  /**
   * The classes Flume instantiated: the truth about a type alias or class name, and the order of
   * each source's interceptor chain (read from Flume's private fields: no getter exposes them).
   */
  private static Map<String, Object> classes(MaterializedConfiguration m) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> sources = new TreeMap<>();
    Map<String, Object> selectors = new TreeMap<>();
    Map<String, Object> interceptors = new TreeMap<>();
    for (Map.Entry<String, SourceRunner> e : m.getSourceRunners().entrySet()) {
      Source source = e.getValue().getSource();
      sources.put(e.getKey(), source.getClass().getName());
      ChannelProcessor cp = source.getChannelProcessor();
      selectors.put(e.getKey(), cp.getSelector().getClass().getName());
      List<String> chain = new ArrayList<>();
      Object ic = field(cp, "interceptorChain");
      Object list = ic == null ? null : field(ic, "interceptors");
      if (list instanceof Collection) for (Object i : (Collection<?>) list) chain.add(i.getClass().getName());
      interceptors.put(e.getKey(), chain);
    }
    Map<String, Object> channels = new TreeMap<>();
    for (Map.Entry<String, Channel> e : m.getChannels().entrySet()) channels.put(e.getKey(), e.getValue().getClass().getName());
    Map<String, Object> sinks = new TreeMap<>();
    Map<String, Object> processors = new TreeMap<>();
    for (Map.Entry<String, SinkRunner> e : m.getSinkRunners().entrySet()) {
      SinkProcessor p = e.getValue().getPolicy();
      processors.put(e.getKey(), p.getClass().getName());
      for (Sink k : sinksOf(p)) sinks.put(k.getName(), k.getClass().getName());
    }
    out.put("sources", sources);
    out.put("channels", channels);
    out.put("sinks", sinks);
    out.put("selectors", selectors);
    out.put("interceptors", interceptors);
    out.put("processors", processors);
    return out;
  }

  private static Set<Sink> sinksOf(SinkProcessor p) {
    Set<Sink> out = new java.util.LinkedHashSet<>();
    for (Class<?> c = p.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) continue;
        Object v = field(p, f);
        if (v instanceof Sink) out.add((Sink) v);
        else if (v instanceof Collection) for (Object o : (Collection<?>) v) { if (o instanceof Sink) out.add((Sink) o); }
        else if (v instanceof Map) for (Object o : ((Map<?, ?>) v).values()) { if (o instanceof Sink) out.add((Sink) o); }
      }
    }
    return out;
  }

  private static Object field(Object target, String name) {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        return field(target, c.getDeclaredField(name));
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    return null;
  }

  private static Object field(Object target, Field f) {
    try {
      f.setAccessible(true);
      return f.get(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** The properties as Flume 1.11 reads them: java.util.Properties, then ${...} resolution. */
  private static Map<String, String> resolvedProperties(File file) throws Exception {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(file)) {
      p.load(in);
    }
    return FlowcPropertiesAccess.resolve(p);
  }

  private static Set<String> names(String list) {
    Set<String> out = new TreeSet<>();
    if (list == null) return out;
    for (String n : list.trim().split("\\s+")) if (!n.isEmpty()) out.add(n);
    return out;
  }

  /** Components that survive FlumeConfiguration's validation, with their (trimmed) properties. */
  private static Map<String, Object> kept(FlumeConfiguration.AgentConfiguration conf,
      Map<String, String> props, String agent) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> sources = new TreeMap<>();
    for (String name : conf.getSourceSet()) {
      Map<String, Object> c = component(props, agent + ".sources." + name + ".");
      ComponentConfiguration cc = conf.getSourceConfigMap().get(name);
      Context ctx = conf.getSourceContext().get(name);
      Set<String> channels = cc instanceof SourceConfiguration
          ? new TreeSet<>(((SourceConfiguration) cc).getChannels())
          : names(ctx == null ? null : ctx.getString("channels"));
      channels.retainAll(conf.getChannelSet());
      c.put("channels", channels);
      sources.put(name, c);
    }
    out.put("sources", sources);
    Map<String, Object> channels = new TreeMap<>();
    for (String name : conf.getChannelSet()) {
      channels.put(name, component(props, agent + ".channels." + name + "."));
    }
    out.put("channels", channels);
    Map<String, Object> sinks = new TreeMap<>();
    for (String name : conf.getSinkSet()) {
      Map<String, Object> c = component(props, agent + ".sinks." + name + ".");
      ComponentConfiguration cc = conf.getSinkConfigMap().get(name);
      Context ctx = conf.getSinkContext().get(name);
      c.put("channel", cc instanceof SinkConfiguration ? ((SinkConfiguration) cc).getChannel()
          : ctx == null ? null : ctx.getString("channel"));
      sinks.put(name, c);
    }
    out.put("sinks", sinks);
    Map<String, Object> groups = new TreeMap<>();
    for (String name : conf.getSinkgroupSet()) {
      Map<String, Object> c = component(props, agent + ".sinkgroups." + name + ".");
      ComponentConfiguration cc = conf.getSinkGroupConfigMap().get(name);
      c.put("sinks", cc instanceof SinkGroupConfiguration
          ? ((SinkGroupConfiguration) cc).getSinks() : Collections.emptyList());
      groups.put(name, c);
    }
    out.put("sinkgroups", groups);
    return out;
  }

  private static Map<String, Object> component(Map<String, String> props, String prefix) {
    Map<String, Object> c = new LinkedHashMap<>();
    Map<String, String> own = new TreeMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      String key = e.getKey().trim();
      // FlumeConfiguration ignores a key whose value is empty once trimmed.
      if (key.startsWith(prefix) && !e.getValue().trim().isEmpty()) {
        own.put(key.substring(prefix.length()), e.getValue().trim());
      }
    }
    c.put("type", own.get("type"));
    c.put("properties", own);
    return c;
  }
}
