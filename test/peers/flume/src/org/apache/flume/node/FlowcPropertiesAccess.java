package org.apache.flume.node;

import java.util.Map;
import java.util.Properties;

/** Ours: lets ConfigCheck resolve ${...} with Flume's package-private MapResolver, as Flume does. */
public final class FlowcPropertiesAccess {
  private FlowcPropertiesAccess() {}

  public static Map<String, String> resolve(Properties properties) {
    return MapResolver.resolveProperties(properties);
  }
}
