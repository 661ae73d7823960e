package com.example.flume;

import java.util.List;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

/** Stand-in for the custom interceptor of examples/custom.flow: passes events through. */
public class TenantInterceptor implements Interceptor {
  @Override public void initialize() {}
  @Override public Event intercept(Event event) { return event; }
  @Override public List<Event> intercept(List<Event> events) { return events; }
  @Override public void close() {}

  public static class Builder implements Interceptor.Builder {
    @Override public Interceptor build() { return new TenantInterceptor(); }
    @Override public void configure(Context context) {}
  }
}
