package dev.llmgateway.keycloak.setup;

import java.lang.management.ManagementFactory;

import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.ScheduledTask;

/**
 * Runs a task at most once per interval across every node that shares the database. Keycloak's cluster-aware runner
 * only keeps two nodes from running a task at the same moment: each node still runs it once per interval, so a
 * cluster of n nodes would run it n times. Here a node first claims the task's row in {@code LLM_TASK_RUN} (one
 * UPDATE, in its own short transaction, that succeeds only when the last run is at least nine tenths of an interval
 * old); the node whose timer fires first in an interval runs the task, the others skip it. Works whatever the cache
 * configuration, because the claim is the database's.
 */
final class ClusterOnceTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(ClusterOnceTask.class);
    /** This node in LLM_TASK_RUN.NODE: "pid@host", as the JVM names itself. */
    private static final String NODE = nodeName();

    private final KeycloakSessionFactory factory;
    private final ScheduledTask task;
    private final long intervalMillis;

    ClusterOnceTask(KeycloakSessionFactory factory, ScheduledTask task, long intervalMillis) {
        this.factory = factory;
        this.task = task;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public String getTaskName() {
        return task.getTaskName();
    }

    @Override
    public void run(KeycloakSession session) {
        if (claim(System.currentTimeMillis())) {
            task.run(session);
        } else {
            LOG.debugf("LLM gateway: task %s ran on another node this interval", task.getTaskName());
        }
    }

    private boolean claim(long now) {
        long due = now - (intervalMillis - intervalMillis / 10);
        return KeycloakModelUtils.runJobInTransactionWithResult(
                factory,
                s -> s.getProvider(JpaConnectionProvider.class)
                                .getEntityManager()
                                .createNamedQuery("llmTaskRunClaim")
                                .setParameter("now", now)
                                .setParameter("node", NODE)
                                .setParameter("name", task.getTaskName())
                                .setParameter("due", due)
                                .executeUpdate()
                        == 1);
    }

    private static String nodeName() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        return name.length() > 255 ? name.substring(0, 255) : name;
    }
}
