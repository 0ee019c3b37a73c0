package commsledger.testnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.IndexService;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.shard.IndexSettingProvider;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.ExtensiblePlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node for the tests: loopback only, ports chosen by the OS, data under the
 * folder given as the only argument, no security plugin (it is not on the classpath).
 *
 * <p>Once the node has started, writes {@code http://127.0.0.1:PORT} to the file
 * {@code HOME_DIR/http.address} (whole, by a rename: its standard output is the node's log). It
 * stops on SIGTERM, and also when its standard input closes: the process that started it has
 * gone, even if it died without stopping it.
 */
public final class TestNode {
    private static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class, CommonAnalysisPlugin.class, MapperExtrasPlugin.class,
        ReindexPlugin.class, PainlessPlugin.class, FastTimings.class);

    /**
     * Shorter waits, the same behaviour: on every new index, retention leases synced every
     * second instead of every 30 s (a redaction waits for them; this registers the setting, as
     * OpenSearch's own test framework does: a distribution's interval is fixed), and refreshes
     * every 100 ms instead of every second, unless the request sets its own (a write with
     * refresh=wait_for waits for the next one).
     */
    public static final class FastTimings extends Plugin {
        @Override
        public List<Setting<?>> getSettings() {
            return List.of(IndexService.RETENTION_LEASE_SYNC_INTERVAL_SETTING);
        }

        @Override
        public Collection<IndexSettingProvider> getAdditionalIndexSettingProviders() {
            Settings faster = Settings.builder()
                .put(IndexService.RETENTION_LEASE_SYNC_INTERVAL_SETTING.getKey(), "1s")
                .put("index.refresh_interval", "100ms").build();
            return List.of(new IndexSettingProvider() {
                @Override
                public Settings getAdditionalIndexSettings(String index, boolean dataStream, Settings given) {
                    return faster;
                }
            });
        }
    }

    /** {@code Node}'s constructor with classpath plugins is protected: this opens it. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Settings settings) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "test-node"),
                MODULES, true);
        }
    }

    private TestNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TestNode HOME_DIR");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        extendPainless();
        Node node = new ClasspathNode(settings(home));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(node, stopped), "test-node-stop"));
        node.start();
        int port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        Path partial = home.resolve("http.address.partial");
        Files.writeString(partial, "http://127.0.0.1:" + port + "\n");
        Files.move(partial, home.resolve("http.address"), StandardCopyOption.ATOMIC_MOVE);
        Thread watcher = new Thread(TestNode::exitWhenStdinCloses, "test-node-stdin");
        watcher.setDaemon(true);
        watcher.start();
        stopped.await();
    }

    /**
     * A distribution loads painless with the script contexts of the modules that extend it
     * (analysis-common's, which {@code predicate_token_filter} scripts run in); classpath plugins
     * declare no such link, so those extensions are loaded here, into the allowlists painless
     * keeps in a static map.
     */
    private static void extendPainless() {
        new PainlessPlugin().loadExtensions(new ExtensiblePlugin.ExtensionLoader() {
            @Override
            public <T> List<T> loadExtensions(Class<T> type) {
                return ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).toList();
            }
        });
    }

    private static Settings settings(Path home) {
        return Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "commsledger-tests")
            .put("node.name", "test-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "0")
            .put("transport.port", "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("discovery.type", "single-node")
            // a nearly full disk must not turn the test indexes read-only
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
    }

    private static void exitWhenStdinCloses() {
        try {
            while (System.in.read() != -1) {
                // nothing is sent: only the end of the stream matters
            }
        } catch (Exception ignored) {
            // a broken pipe means the same as its end
        }
        System.exit(0);
    }

    private static void close(Node node, CountDownLatch stopped) {
        try {
            node.close();
            node.awaitClose(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            stopped.countDown();
        }
    }
}
