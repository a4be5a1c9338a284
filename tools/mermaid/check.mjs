// Parses every ```mermaid block of the Markdown files named on the command line with Mermaid's
// own parser (mermaid.parse, the flowchart grammar GitHub and GitLab render), offline and without
// a browser. Prints one JSON line per block: {"file", "block", "type"} or {"file", "block", "error"};
// exits 1 when a block does not parse or a file has none.
import { readFileSync } from 'node:fs';
import DOMPurify from 'dompurify';

// Outside a browser DOMPurify has no window and no hooks; mermaid.parse registers one even for a
// syntax check, so it gets a no-op before mermaid is loaded (nothing is rendered or sanitized).
DOMPurify.addHook ??= () => {};
DOMPurify.sanitize = (text) => text;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const FENCE = /^```mermaid\n([\s\S]*?)^```$/gm;
let failed = false;
for (const file of process.argv.slice(2)) {
  const blocks = [...readFileSync(file, 'utf8').matchAll(FENCE)].map((match) => match[1]);
  if (blocks.length === 0) {
    console.log(JSON.stringify({ file, block: 0, error: 'no mermaid block' }));
    failed = true;
  }
  for (const [index, text] of blocks.entries()) {
    try {
      const { diagramType } = await mermaid.parse(text);
      console.log(JSON.stringify({ file, block: index + 1, type: diagramType }));
    } catch (error) {
      console.log(JSON.stringify({ file, block: index + 1, error: String(error?.message ?? error) }));
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
