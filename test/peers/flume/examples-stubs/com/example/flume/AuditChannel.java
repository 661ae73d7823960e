package com.example.flume;

/** Stand-in for the custom channel of examples/custom.flow. */
public class AuditChannel extends org.apache.flume.channel.MemoryChannel {}
