package com.example.flume;

import org.apache.flume.Context;
import org.apache.flume.EventDrivenSource;
import org.apache.flume.conf.Configurable;
import org.apache.flume.source.AbstractSource;

/** Stand-in for the custom source of examples/custom.flow, as the user's own jar would provide it. */
public class QueueSource extends AbstractSource implements EventDrivenSource, Configurable {
  @Override
  public void configure(Context context) {}
}
