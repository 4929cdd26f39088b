import { Fragment } from "react";

/**
 * The Markdown our API descriptions use: text with `inline code`. No Markdown renderer is a
 * dependency of the app (marked is only a dependency of react-email's), and one that emits
 * HTML would need a sanitiser and dangerouslySetInnerHTML for what is a single construct.
 * An unpaired backtick stays a backtick.
 */
export function InlineMarkdown({ text }: { text: string }) {
  const parts = text.split(/`([^`\n]+)`/);
  return parts.map((part, i) => (i % 2 === 1
    ? <code key={i} className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[0.85em] dark:bg-zinc-800">{part}</code>
    : <Fragment key={i}>{part}</Fragment>));
}
