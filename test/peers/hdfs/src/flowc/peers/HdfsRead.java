package flowc.peers;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.util.ReflectionUtils;

/**
 * Reads HDFS with Hadoop's own client API, so tests check what flowc (or Flume) wrote through
 * a reader nobody here wrote. Usage: HdfsRead COMMAND hdfs://127.0.0.1:RPCPORT/path
 *   ls   — every file and directory under the path, one JSON line each: {"path","type","length"}
 *   cat  — the file's bytes, as they are, to stdout
 *   seq  — a SequenceFile through SequenceFile.Reader: a first JSON line
 *          {"keyClass","valueClass","compressed","blockCompressed","codec","metadata":{…}}, then one
 *          line per record {"key": key.toString(), "value": base64 of the value's bytes}
 *          (BytesWritable: its bytes; Text: its UTF-8 bytes; anything else: toString())
 *   seqtree — every file under a directory as a SequenceFile (one JVM for many files): before
 *          each file's header line, a line {"file": path}
 * Errors go to stderr with exit code 1.
 */
public final class HdfsRead {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: HdfsRead ls|cat|seq hdfs://host:port/path");
      System.exit(2);
    }
    Configuration conf = new Configuration();
    Path path = new Path(args[1]);
    FileSystem fs = path.getFileSystem(conf);
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    try {
      switch (args[0]) {
        case "ls":
          list(fs, path, out);
          break;
        case "cat":
          try (InputStream in = fs.open(path)) {
            copy(in, System.out);
          }
          break;
        case "seq":
          readSequenceFile(conf, path, out);
          break;
        case "seqtree":
          for (org.apache.hadoop.fs.RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true); it.hasNext(); ) {
            Path file = it.next().getPath();
            out.println("{\"file\":" + json(Path.getPathWithoutSchemeAndAuthority(file).toString()) + "}");
            readSequenceFile(conf, file, out);
          }
          break;
        default:
          System.err.println("unknown command " + args[0]);
          System.exit(2);
      }
    } catch (Exception e) {
      out.flush();
      System.err.println(e.getClass().getName() + ": " + e.getMessage());
      System.exit(1);
    }
    out.flush();
    System.out.flush();
    fs.close();
  }

  private static void list(FileSystem fs, Path root, PrintStream out) throws Exception {
    FileStatus top = fs.getFileStatus(root);
    if (!top.isDirectory()) {
      out.println(entry(top));
      return;
    }
    walk(fs, top.getPath(), out);
  }

  private static void walk(FileSystem fs, Path dir, PrintStream out) throws Exception {
    for (FileStatus s : fs.listStatus(dir)) {
      out.println(entry(s));
      if (s.isDirectory()) walk(fs, s.getPath(), out);
    }
  }

  private static String entry(FileStatus s) {
    return "{\"path\":" + json(Path.getPathWithoutSchemeAndAuthority(s.getPath()).toString())
        + ",\"type\":\"" + (s.isDirectory() ? "DIRECTORY" : "FILE") + "\",\"length\":" + s.getLen() + "}";
  }

  private static void readSequenceFile(Configuration conf, Path path, PrintStream out) throws Exception {
    try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(path))) {
      StringBuilder meta = new StringBuilder("{");
      for (java.util.Map.Entry<Text, Text> e : reader.getMetadata().getMetadata().entrySet()) {
        if (meta.length() > 1) meta.append(',');
        meta.append(json(e.getKey().toString())).append(':').append(json(e.getValue().toString()));
      }
      meta.append('}');
      out.println("{\"keyClass\":" + json(reader.getKeyClassName())
          + ",\"valueClass\":" + json(reader.getValueClassName())
          + ",\"compressed\":" + reader.isCompressed()
          + ",\"blockCompressed\":" + reader.isBlockCompressed()
          + ",\"codec\":" + (reader.getCompressionCodec() == null ? "null" : json(reader.getCompressionCodec().getClass().getName()))
          + ",\"metadata\":" + meta + "}");
      Writable key = (Writable) ReflectionUtils.newInstance(reader.getKeyClass(), conf);
      Writable value = (Writable) ReflectionUtils.newInstance(reader.getValueClass(), conf);
      Base64.Encoder b64 = Base64.getEncoder();
      while (reader.next(key, value)) {
        byte[] bytes;
        if (value instanceof BytesWritable) bytes = ((BytesWritable) value).copyBytes();
        else if (value instanceof Text) bytes = ((Text) value).copyBytes();
        else bytes = value.toString().getBytes(StandardCharsets.UTF_8);
        out.println("{\"key\":" + json(key.toString()) + ",\"value\":\"" + b64.encodeToString(bytes) + "\"}");
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) throws Exception {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
