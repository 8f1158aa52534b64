package dev.kubegate.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * One exec session over the Kubernetes WebSocket stream protocol (v4/v5.channel.k8s.io): every
 * binary message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error (a v1 Status,
 * sent once when the command ends), 4 resize — and in v5, 255 followed by a channel number closes
 * that channel (kubectl sends it when its stdin reaches EOF).
 *
 * <p>The command ends by writing its Status on channel 3 and closing the WebSocket with a normal
 * closure; kubectl reads stdout/stderr to EOF, then exits with the code from the Status.
 *
 * <p>Scripted commands: {@code echo}, {@code cat} (stdin, or files from
 * {@link FakeKubeApiServer#putPodFile}), {@code sh -c '<command>'} (including {@code exit N},
 * {@code $VAR} from the container's environment and one {@code | base64} at the end, wrapped at 76
 * columns like coreutils), {@code env} (a base environment plus the container's {@code env} and
 * {@code envFrom}, Secrets resolved), {@code hostname}, {@code true}, {@code false},
 * {@code sleep N}, and {@code trickle MS WORDS...}, which prints its words one character every
 * {@code MS} milliseconds (a value printed with pauses); anything else prints "command not found"
 * and exits 127.
 */
final class ExecSession {
    record Streams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
    }

    private static final byte STDIN = 0;
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte ERROR = 3;
    private static final int CLOSE = 255;
    private static final Pattern EXIT = Pattern.compile("\\s*exit(?:\\s+(\\d+))?\\s*");
    private static final Pattern BASE64_PIPE = Pattern.compile("(.*?)\\|\\s*base64\\s*");
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)}|(\\w+))");

    private final Vertx vertx;
    private final ServerWebSocket ws;
    private final Streams streams;
    private final List<String> argv;
    private final String pod;
    private final String container;
    private final Map<String, String> files;
    private final Map<String, String> env;
    private final boolean v5;
    private StringBuilder captured; // stdout of the command before "| base64"
    private Consumer<Buffer> onStdin = b -> { };
    private Runnable onStdinClosed = () -> { };
    private boolean done;
    private long timer = -1;

    ExecSession(Vertx vertx, ServerWebSocket ws, Streams streams, List<String> argv, String pod, String container,
            Map<String, String> files, Map<String, String> env) {
        this.env = env;
        this.vertx = vertx;
        this.ws = ws;
        this.streams = streams;
        this.argv = argv;
        this.pod = pod;
        this.container = container;
        this.files = files;
        this.v5 = "v5.channel.k8s.io".equals(ws.subProtocol());
    }

    /** Runs the command; {@code onClose} runs once the WebSocket is closed, by either side. */
    void start(Runnable onClose) {
        ws.binaryMessageHandler(this::onMessage);
        ws.exceptionHandler(e -> { });
        ws.closeHandler(v -> {
            onClose.run();
            done = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            onStdinClosed = () -> { };
        });
        run(argv);
    }

    private void onMessage(Buffer b) {
        if (b.length() == 0 || done) {
            return;
        }
        int channel = b.getUnsignedByte(0);
        if (v5 && channel == CLOSE) {
            if (b.length() > 1 && b.getByte(1) == STDIN) {
                onStdinClosed.run();
            }
        } else if (channel == STDIN) {
            onStdin.accept(b.slice(1, b.length()));
        }
        // channel 4 (resize) needs no answer
    }

    private void run(List<String> args) {
        String cmd = args.get(0).substring(args.get(0).lastIndexOf('/') + 1);
        List<String> rest = args.subList(1, args.size());
        switch (cmd) {
            case "echo" -> {
                boolean n = !rest.isEmpty() && rest.get(0).equals("-n");
                out(String.join(" ", n ? rest.subList(1, rest.size()) : rest) + (n ? "" : "\n"));
                exit(0);
            }
            case "cat" -> cat(rest);
            case "sh", "bash", "ash" -> {
                if (rest.size() >= 2 && rest.get(0).equals("-c")) {
                    script(rest.get(1));
                } else {
                    exit(0);
                }
            }
            case "env" -> {
                StringBuilder all = new StringBuilder("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=" + pod
                        + "\nKUBERNETES_SERVICE_HOST=10.96.0.1\nKUBERNETES_SERVICE_PORT=443\nHOME=/root\n");
                env.forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
                out(all.toString());
                exit(0);
            }
            case "trickle" -> {
                long ms = rest.isEmpty() ? 0 : Long.parseLong(rest.get(0));
                String text = String.join(" ", rest.subList(Math.min(1, rest.size()), rest.size())) + "\n";
                trickle(text, 0, ms);
            }
            case "hostname" -> {
                out(pod + "\n");
                exit(0);
            }
            case "true" -> exit(0);
            case "false" -> exit(1);
            case "sleep" -> {
                long ms = rest.isEmpty() ? 0 : (long) (Double.parseDouble(rest.get(0)) * 1000);
                timer = vertx.setTimer(Math.max(1, ms), id -> exit(0));
            }
            default -> {
                err(cmd + ": command not found\n");
                exit(127);
            }
        }
    }

    private void cat(List<String> paths) {
        if (paths.isEmpty()) {
            if (!streams.stdin()) {
                exit(0); // no stdin: cat reads EOF at once
                return;
            }
            onStdin = b -> write(STDOUT, b);
            onStdinClosed = () -> exit(0);
            return;
        }
        int code = 0;
        for (String p : paths) {
            String content = files.get(p);
            if (content == null) {
                err("cat: " + p + ": No such file or directory\n");
                code = 1;
            } else {
                out(content);
            }
        }
        exit(code);
    }

    private void script(String script) {
        Matcher m = EXIT.matcher(script);
        if (m.matches()) {
            exit(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
            return;
        }
        Matcher pipe = BASE64_PIPE.matcher(script);
        if (pipe.matches()) { // the command's stdout, base64-encoded
            captured = new StringBuilder();
            script = pipe.group(1);
        }
        run(words(expand(script)));
    }

    /** {@code $NAME} and {@code ${NAME}} from the container's environment (empty when unset). */
    private String expand(String script) {
        Matcher v = VARIABLE.matcher(script);
        StringBuilder sb = new StringBuilder();
        while (v.find()) {
            String name = v.group(1) != null ? v.group(1) : v.group(2);
            v.appendReplacement(sb, Matcher.quoteReplacement(env.getOrDefault(name, "")));
        }
        return v.appendTail(sb).toString();
    }

    /** Prints text from index i, one character every ms milliseconds, then exits 0. */
    private void trickle(String text, int i, long ms) {
        if (done) {
            return;
        }
        if (i >= text.length()) {
            exit(0);
            return;
        }
        out(text.substring(i, i + 1));
        timer = vertx.setTimer(Math.max(1, ms), id -> trickle(text, i + 1, ms));
    }

    /** Splits a command line on blanks, honouring single and double quotes. */
    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || w.length() > 0) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(c);
            }
        }
        if (any || w.length() > 0) {
            out.add(w.toString());
        }
        return out.isEmpty() ? List.of("true") : out;
    }

    private void out(String s) {
        if (captured != null) {
            captured.append(s);
            return;
        }
        write(STDOUT, Buffer.buffer(s.getBytes(StandardCharsets.UTF_8)));
    }

    private void err(String s) {
        // with a TTY there is no stderr stream: the terminal gets both
        write(streams.tty() ? STDOUT : STDERR, Buffer.buffer(s.getBytes(StandardCharsets.UTF_8)));
    }

    private void write(byte channel, Buffer data) {
        boolean wanted = channel == STDOUT ? streams.stdout() || streams.tty() : channel != STDERR || streams.stderr();
        if (!done && wanted && data.length() > 0) {
            ws.writeBinaryMessage(Buffer.buffer(data.length() + 1).appendByte(channel).appendBuffer(data));
        }
    }

    private void exit(int code) {
        if (done) {
            return;
        }
        if (captured != null) {
            String encoded = java.util.Base64.getMimeEncoder(76, new byte[]{'\n'})
                    .encodeToString(captured.toString().getBytes(StandardCharsets.UTF_8));
            captured = null;
            if (!encoded.isEmpty()) {
                out(encoded + "\n");
            }
        }
        ObjectNode status = Json.object();
        status.putObject("metadata");
        if (code == 0) {
            status.put("status", "Success");
        } else {
            status.put("status", "Failure").put("message", "command terminated with non-zero exit code: error executing command "
                    + argv + " in container " + container + ", exit code " + code).put("reason", "NonZeroExitCode");
            status.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(code));
        }
        write(ERROR, Json.buffer(status));
        done = true;
        ws.close((short) 1000);
    }
}
