/**
 * A JDK hello-world: the baseline {@code dindex bench cli} pairs every command with (the smallest thing a JVM can
 * start). In the default package and compiled on its own, so that running it loads nothing of dindex.
 */
public final class HelloWorld {
    private HelloWorld() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
