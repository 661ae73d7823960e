package flowc.peers;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;

/**
 * A real HDFS for the tests: MiniDFSCluster with one namenode and one datanode, every port on
 * 127.0.0.1 and chosen by the OS, data in the dir given as the first argument (the caller
 * deletes it) or else in a temp dir of its own.
 * Prints one JSON line once the cluster is up:
 * {"rpcPort":…,"httpPort":…,"datanodeHttpPort":…,"baseDir":"…"}, then runs until killed;
 * SIGTERM shuts the cluster down and deletes the temp dir.
 */
public final class MiniDfs {
  public static void main(String[] args) throws Exception {
    Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("flowc-minidfs-");
    Files.createDirectories(base);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toAbsolutePath().toString());
    // Loopback only, and WebHDFS redirects name the datanode by address, not by host name.
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    // Tests write as any user; one replica on one datanode.
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.setInt("dfs.replication", 1);
    conf.setBoolean("dfs.webhdfs.enabled", true);

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base.toFile())
        .numDataNodes(1)
        .nameNodePort(0)
        .nameNodeHttpPort(0)
        .format(true)
        .build();
    cluster.waitActive();

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cluster.shutdown();
      if (args.length == 0) deleteTree(base);
    }));

    DataNode dn = cluster.getDataNodes().get(0);
    System.out.println("{\"rpcPort\":" + cluster.getNameNodePort()
        + ",\"httpPort\":" + cluster.getNameNode().getHttpAddress().getPort()
        + ",\"datanodeHttpPort\":" + dn.getInfoPort()
        + ",\"baseDir\":\"" + base.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // The temp dir is best-effort cleanup; the helper removes it too.
    }
  }
}
