package org.hamkafka.local;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The services' HTTP ports for one stack: the fixed ones checked free, the others chosen free. */
final class PortPlan {
    private PortPlan() {
    }

    /** The name of attack worker {@code i} (0-based): {@code attack-service}, or {@code attack-service-<i+1>}. */
    static String attackName(StackSettings settings, int i) {
        return settings.workers() == 1 ? StackSettings.ATTACK : StackSettings.ATTACK + "-" + (i + 1);
    }

    /** Port by service name: trainer, eval, then the attack workers. */
    static Map<String, Integer> choose(StackSettings settings) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<Integer> taken = new ArrayList<>();
        ports.put(StackSettings.TRAINER, fixedOrFree(settings.trainerPort(), "--trainer-port", taken));
        ports.put(StackSettings.EVAL, fixedOrFree(settings.evalPort(), "--eval-port", taken));
        int next = settings.attackPort();
        for (int i = 0; i < settings.workers(); i++) {
            int port;
            if (settings.attackPort() == 0) {
                port = fixedOrFree(0, "--attack-port", taken);
            } else if (i == 0) {
                port = fixedOrFree(next, "--attack-port", taken);
            } else {
                // the following workers take the next free ports above the first one
                do {
                    next++;
                    if (next > 65535) {
                        throw new Stack.PortInUseException("no free port above --attack-port " + settings.attackPort()
                                + " for " + settings.workers() + " attack workers");
                    }
                } while (taken.contains(next) || !Ports.isFree(next));
                port = next;
                taken.add(port);
            }
            if (i == 0) {
                next = port;
            }
            ports.put(attackName(settings, i), port);
        }
        return ports;
    }

    private static int fixedOrFree(int port, String option, List<Integer> taken) {
        if (port == 0) {
            int p = Ports.free(taken);
            taken.add(p);
            return p;
        }
        if (taken.contains(port) || !Ports.isFree(port)) {
            throw new Stack.PortInUseException("port " + port + " is in use (" + option + "); stop what holds it "
                    + "(a stack left running? `ss -ltnp 'sport = :" + port + "'` shows it) or choose another with "
                    + option);
        }
        taken.add(port);
        return port;
    }
}
