package com.example.flume;

/** Stand-in for the custom channel selector of examples/custom.flow. */
public class TenantSelector extends org.apache.flume.channel.ReplicatingChannelSelector {}
