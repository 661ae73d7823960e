package com.example.flume;

/** Stand-in for the custom sink of examples/custom.flow. */
public class ObjectStoreSink extends org.apache.flume.sink.NullSink {}
