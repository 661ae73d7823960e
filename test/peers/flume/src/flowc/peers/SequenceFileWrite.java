package flowc.peers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.event.EventBuilder;
import org.apache.flume.sink.hdfs.HDFSSequenceFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Writes a SequenceFile with Flume's own HDFSSequenceFile writer (what the hdfs sink uses for
 * hdfs.fileType = SequenceFile), so tests compare flowc's bytes with Flume's.
 * Usage: SequenceFileWrite FILE WRITEFORMAT [CODEC]   (FILE a local path, WRITEFORMAT Writable or
 * Text; CODEC a Hadoop codec name such as default or gzip: block compression, as the sink
 * writes with hdfs.codeC)
 * stdin, one command a line: `E <timestamp or -> <base64 body>` appends an event (with that
 * `timestamp` header, or none); `S` syncs, as the sink does after each batch. EOF closes the file.
 */
public final class SequenceFileWrite {
  public static void main(String[] args) throws Exception {
    HDFSSequenceFile writer = new HDFSSequenceFile();
    Context context = new Context();
    context.put("hdfs.writeFormat", args[1]);
    writer.configure(context);
    if (args.length > 2) {
      CompressionCodec codec = new CompressionCodecFactory(new Configuration()).getCodecByName(args[2]);
      if (codec == null) throw new IllegalArgumentException("unknown codec " + args[2]);
      writer.open("file://" + args[0], codec, SequenceFile.CompressionType.BLOCK);
    } else {
      writer.open("file://" + args[0]);
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("S")) {
        writer.sync();
        continue;
      }
      String[] parts = line.split(" ", 3);
      Map<String, String> headers = new HashMap<>();
      if (!parts[1].equals("-")) headers.put("timestamp", parts[1]);
      Event event = EventBuilder.withBody(Base64.getDecoder().decode(parts.length > 2 ? parts[2] : ""), headers);
      writer.append(event);
    }
    writer.close();
  }
}
