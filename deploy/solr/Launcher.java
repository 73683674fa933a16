import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a standalone Solr 9 on 127.0.0.1 with the given Solr home.
 *
 * <p>Usage: {@code java -cp 'lib/*:classes' Launcher <solr-home> <port>}. Runs until killed.
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Launcher <solr-home> <port>");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        System.setProperty("jetty.host", "127.0.0.1");
        System.setProperty("host", "127.0.0.1");
        JettyConfig config = JettyConfig.builder()
                .setContext("/solr")
                .setPort(port)
                .stopAtShutdown(true)
                .build();
        JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
        solr.start();
        System.out.println("Solr started on http://127.0.0.1:" + port + "/solr");
        Thread.currentThread().join();
    }
}
