import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The floor of a command that asks the daemon something: the least a JVM can do to send {@code dindex.status} over
 * the socket and print the reply (a length-prefixed JSON frame each way, JDK classes only, no parsing, no
 * formatting). {@code dindex bench cli} pairs it with a hello-world beside the real commands, so the gap between it
 * and {@code dindex status} is what the client itself costs. In the default package and compiled on its own, so that
 * running it loads nothing of dindex.
 */
public final class BareStatusClient {
    private BareStatusClient() {
    }

    public static void main(String[] args) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            byte[] json = "{\"type\":\"send\",\"address\":\"dindex.status\",\"replyAddress\":\"bare.1\",\"body\":{}}"
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer length = read(channel, 4);
            ByteBuffer reply = read(channel, length.getInt());
            System.out.println(new String(reply.array(), StandardCharsets.UTF_8));
        }
    }

    private static ByteBuffer read(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("the daemon closed the connection");
            }
        }
        return buffer.flip();
    }
}
