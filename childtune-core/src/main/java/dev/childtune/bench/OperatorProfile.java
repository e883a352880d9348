package dev.childtune.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the engine's time goes, read from PyTorch's own profiler trace (Chrome trace format, as
 * DJL's {@code JniUtils.stopProfile} writes it): the self time of every operator (its duration
 * less that of the operators it called), summed by name and by kind. Operators run one at a
 * time per thread (the forward pass on the caller's thread, the backward pass on autograd's), and
 * parallelism lives inside an operator, so self times add up to the engine's busy wall time; what
 * the step took beyond it was spent outside the engine (Java: the optimizer pass, batches, JNI).
 *
 * @param operators self milliseconds and calls per operator name, largest first
 * @param engineMillis the sum of all self times
 */
record OperatorProfile(List<Operator> operators, double engineMillis) {

    /** One operator name's total. */
    record Operator(String name, String kind, double selfMillis, long calls) {}

    /** The kinds, in report order, each matched by the operator names it covers. */
    static final List<String> KINDS = List.of("matrix products", "softmax", "layer norm", "gelu", "dropout",
            "embedding", "copies and layout", "element-wise and reductions", "other");

    static String kindOf(String op) {
        String name = op.startsWith("aten::") ? op.substring(6) : op;
        if (name.matches("(addmm|mm|bmm|baddbmm|matmul|linear|_addmm_activation)(_backward)?")) {
            return "matrix products";
        }
        if (name.contains("softmax")) {
            return "softmax";
        }
        if (name.contains("layer_norm")) {
            return "layer norm";
        }
        if (name.contains("gelu")) {
            return "gelu";
        }
        if (name.contains("dropout") || name.startsWith("bernoulli")) {
            return "dropout";
        }
        if (name.contains("embedding") || name.startsWith("index_select") || name.startsWith("index_add")) {
            return "embedding";
        }
        if (name.matches("(copy_|contiguous|clone|to|_to_copy|empty_strided|transpose|permute|view|reshape|"
                + "_reshape_alias|as_strided|t|expand|unsqueeze|squeeze|select|slice|cat|stack|empty|zeros|fill_|"
                + "zero_|detach|alias|split|chunk|narrow).*")) {
            return "copies and layout";
        }
        if (name.matches("(add|sub|mul|div|sum|mean|pow|sqrt|rsqrt|neg|exp|log|where|masked_fill|eq|ne|lt|gt|ge|"
                + "le|tanh|max|min|abs|norm|linalg_vector_norm|nll_loss|log_softmax|_log_softmax|cross_entropy|"
                + "mse_loss|clamp|square|rsub|sign|threshold).*")) {
            return "element-wise and reductions";
        }
        return "other";
    }

    /** Reads a trace; complete events ({@code "ph": "X"}) of category {@code cpu_op}, or all when none has one. */
    static OperatorProfile read(Path trace) {
        JsonElement root;
        try (Reader reader = Files.newBufferedReader(trace)) {
            root = JsonParser.parseReader(reader);
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(trace + ": not a readable profiler trace (" + e.getMessage() + ")");
        }
        JsonArray events = root.isJsonArray() ? root.getAsJsonArray()
                : root.getAsJsonObject().getAsJsonArray("traceEvents");
        if (events == null) {
            throw new ChildTuneException(trace + ": no traceEvents");
        }
        record Event(String name, long thread, double start, double duration) {}
        Map<Long, List<Event>> byThread = new LinkedHashMap<>();
        boolean categories = false;
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            categories |= o.has("cat") && o.get("cat").getAsString().equals("cpu_op");
        }
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("ph") || !o.get("ph").getAsString().equals("X") || !o.has("dur")
                    || categories && !(o.has("cat") && o.get("cat").getAsString().equals("cpu_op"))) {
                continue;
            }
            long thread = o.has("tid") && o.get("tid").getAsJsonPrimitive().isNumber() ? o.get("tid").getAsLong()
                    : o.has("tid") ? o.get("tid").getAsString().hashCode() : 0;
            byThread.computeIfAbsent(thread, t -> new ArrayList<>()).add(new Event(o.get("name").getAsString(),
                    thread, o.get("ts").getAsDouble(), o.get("dur").getAsDouble()));
        }
        Map<String, double[]> totals = new LinkedHashMap<>(); // name -> {self µs, calls}
        for (List<Event> list : byThread.values()) {
            // Sorted by start, longer first: a parent precedes the operators it calls.
            list.sort(Comparator.comparingDouble(Event::start).thenComparing(Event::duration, Comparator.reverseOrder()));
            Deque<double[]> open = new ArrayDeque<>(); // {end, index into selfTimes}
            double[] self = new double[list.size()];
            for (int i = 0; i < list.size(); i++) {
                Event ev = list.get(i);
                while (!open.isEmpty() && open.peek()[0] <= ev.start()) {
                    open.pop();
                }
                self[i] = ev.duration();
                if (!open.isEmpty()) {
                    self[(int) open.peek()[1]] -= ev.duration();
                }
                open.push(new double[] {ev.start() + ev.duration(), i});
            }
            for (int i = 0; i < list.size(); i++) {
                double[] t = totals.computeIfAbsent(list.get(i).name(), n -> new double[2]);
                t[0] += Math.max(0, self[i]);
                t[1]++;
            }
        }
        List<Operator> operators = new ArrayList<>();
        double engine = 0;
        for (Map.Entry<String, double[]> t : totals.entrySet()) {
            operators.add(new Operator(t.getKey(), kindOf(t.getKey()), t.getValue()[0] / 1000, (long) t.getValue()[1]));
            engine += t.getValue()[0] / 1000;
        }
        operators.sort(Comparator.comparingDouble(Operator::selfMillis).reversed());
        return new OperatorProfile(List.copyOf(operators), engine);
    }

    /** Self milliseconds per kind, in {@link #KINDS} order. */
    Map<String, Double> byKind() {
        Map<String, Double> out = new LinkedHashMap<>();
        KINDS.forEach(k -> out.put(k, 0.0));
        operators.forEach(o -> out.merge(o.kind(), o.selfMillis(), Double::sum));
        return out;
    }
}
