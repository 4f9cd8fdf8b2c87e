"""The look: a Gradio theme with local fonts only (nothing is fetched from a font CDN) and the app's CSS."""

from __future__ import annotations

import gradio as gr

# IBM Plex Sans as bundled with Gradio: its SemiBold file is a subset that lacks common letters (an "a" came
# out in a fallback font), so 600 is left out and semi-bold text uses the Bold file.
THEME = gr.themes.Soft(
    primary_hue="indigo",
    secondary_hue="sky",
    neutral_hue="slate",
    font=(
        gr.themes.LocalFont("IBM Plex Sans", weights=(400, 700)),
        "ui-sans-serif",
        "system-ui",
        "sans-serif",
    ),
).set(
    block_title_background_fill="none",
    block_title_background_fill_dark="none",
    block_title_padding="0",
    block_title_text_color="*neutral_700",
    block_title_text_color_dark="*neutral_200",
)

CSS = """
/* modelchoice web app: small, readable, works from phone to laptop widths. */
.gradio-container { max-width: 1440px !important; margin: 0 auto !important; }
.mc-header { margin-bottom: 2px; }
.mc-brand h1 { font-size: 1.45rem; margin: 0; letter-spacing: -0.01em; }
.mc-brand p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: 0.95rem; }
.mc-muted { color: var(--body-text-color-subdued); font-size: 0.9rem; margin: 0 0 6px; }
.mc-empty { color: var(--body-text-color-subdued); font-style: italic; margin: 4px 0; }
.mc-actions { gap: 8px; }
.mc-actions button { flex: 0 1 auto !important; }
#mc-chat .message-content .prose, #mc-chat .message-content {
  font-size: 0.95rem !important; line-height: 1.5; }

/* the recommendation card */
.mc-card { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 14px 16px;
  background: var(--background-fill-secondary); }
.mc-kicker { text-transform: uppercase; font-size: 0.72rem; letter-spacing: 0.08em; font-weight: 600;
  color: var(--body-text-color-subdued); }
.mc-option { font-size: 1.6rem; font-weight: 700; line-height: 1.2; margin: 2px 0 6px;
  color: var(--color-accent); }
.mc-patterns { margin: 0 0 8px 1.1em; padding: 0; font-size: 0.92rem; }
.mc-confidence { display: flex; align-items: center; gap: 10px; font-size: 0.92rem; margin-bottom: 10px; }
.mc-meter { flex: 0 0 90px; height: 8px; border-radius: 4px; background: var(--border-color-primary);
  overflow: hidden; }
.mc-meter > span { display: block; height: 100%; background: var(--color-accent); }
.mc-bars { display: grid; grid-template-columns: max-content 1fr max-content; align-items: center;
  gap: 6px 10px; font-size: 0.9rem; }
.mc-bar-row { display: contents; }
.mc-bar-track { height: 12px; border-radius: 6px; background: var(--border-color-primary); overflow: hidden; }
.mc-bar-fill { display: block; height: 100%; border-radius: 6px; background: var(--neutral-400); }
.mc-bar-row.is-best .mc-bar-fill { background: var(--color-accent); }
.mc-bar-row.is-best .mc-bar-label { font-weight: 700; }
.mc-bar-row.is-out .mc-bar-label, .mc-bar-row.is-out .mc-bar-value { color: var(--body-text-color-subdued);
  text-decoration: line-through; }
.mc-bar-value { text-align: right; font-variant-numeric: tabular-nums; }
.mc-hint { margin: 10px 0 0; font-size: 0.88rem; color: var(--body-text-color-subdued); }

/* why: reasons with their guidance */
.mc-why h3 { font-size: 0.95rem; margin: 4px 0 6px; }
.mc-rules { list-style: none; margin: 0 0 10px; padding: 0; display: grid; gap: 8px; }
.mc-rule { border-left: 3px solid var(--color-accent); padding: 2px 0 2px 10px; font-size: 0.93rem; }
.mc-against .mc-rule { border-left-color: var(--neutral-400); }
.mc-note { display: block; color: var(--body-text-color-subdued); font-size: 0.87rem; margin-top: 2px; }
.mc-tag { display: inline-block; font-size: 0.75rem; font-weight: 600; padding: 0 6px; border-radius: 8px;
  background: var(--border-color-primary); margin-right: 4px; }
.mc-srcs { display: flex; flex-wrap: wrap; gap: 4px 10px; margin-top: 3px; }
details.mc-src > summary { cursor: pointer; font-size: 0.84rem; color: var(--color-accent);
  list-style: none; }
details.mc-src > summary::before { content: "▸ "; }
details.mc-src[open] > summary::before { content: "▾ "; }
details.mc-src[open] { flex-basis: 100%; }
.mc-src-body { font-size: 0.87rem; border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 6px 10px; margin: 4px 0; background: var(--background-fill-primary); }
.mc-src-body p { margin: 4px 0; }
.mc-src-doc { color: var(--body-text-color-subdued); font-size: 0.8rem; }
.mc-passages { margin: 0; padding-left: 1.2em; display: grid; gap: 6px; }

/* what would change it */
.mc-cf-buttons { gap: 6px !important; }
.mc-cf { justify-content: flex-start !important; text-align: left !important; white-space: normal !important;
  font-weight: 500 !important; font-size: 0.92rem !important; padding: 6px 10px !important; }

/* the article's cases: chips that look like what they are, buttons that start a conversation */
#mc-chat .examples { gap: 10px !important; justify-content: center; }
#mc-chat button.example { cursor: pointer; border: 1px solid var(--color-accent) !important;
  border-radius: 999px !important; background: var(--background-fill-primary) !important;
  padding: 8px 16px !important; box-shadow: var(--shadow-drop);
  transition: background 0.15s, transform 0.15s; }
#mc-chat button.example .example-text { color: var(--color-accent); font-weight: 600; }
#mc-chat button.example .example-text::before { content: "▸ "; }
#mc-chat button.example:hover, #mc-chat button.example:focus-visible {
  background: var(--color-accent-soft) !important; transform: translateY(-1px); }

/* the what-if comparison (Gradio 6.31 nests a Group's element in a copy with the same id: style the outer).
   The box, with its adopt / keep buttons, shows only while it holds a comparison: no event is needed to
   show or hide it. */
.mc-panel > #mc-whatif-box:not(:has(.mc-whatif)) { display: none !important; }
.mc-panel > #mc-whatif-box { border: 2px solid var(--color-accent) !important; border-radius: 12px !important;
  padding: 10px 12px !important; background: var(--background-fill-primary) !important; }
.mc-whatif h4 { font-size: 0.88rem; margin: 8px 0 4px; }
.mc-whatif ul { margin: 0 0 0 1.1em; padding: 0; font-size: 0.9rem; }
.mc-verdict { margin: 2px 0 8px; font-weight: 600; }
.mc-compare { display: flex; align-items: stretch; gap: 8px; }
.mc-side { flex: 1; border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 6px 10px;
  display: flex; flex-direction: column; }
.mc-side.is-new { border-color: var(--color-accent); }
.mc-side-label { font-size: 0.75rem; color: var(--body-text-color-subdued); }
.mc-arrow { align-self: center; font-size: 1.3rem; color: var(--body-text-color-subdued); }

/* the profile form */
.mc-form-row { gap: 10px !important; }
.mc-help summary { cursor: pointer; font-size: 0.88rem; color: var(--color-accent); }
.mc-help dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 0.85rem;
  margin: 6px 0; }
.mc-help dt { font-weight: 600; }
.mc-help dd { margin: 0; color: var(--body-text-color-subdued); }

/* wide screens: the chat stays in view while the panel scrolls */
@media (min-width: 1024px) {
  .mc-chat-col { position: sticky; top: 8px; align-self: flex-start; }
}

@media (max-width: 640px) {
  .gradio-container { padding: 6px !important; }
  .mc-brand h1 { font-size: 1.2rem; }
  .mc-brand p { font-size: 0.85rem; }
  .mc-option { font-size: 1.35rem; }
  #mc-chat { height: 60vh !important; }
  .mc-input { flex-wrap: nowrap !important; gap: 8px !important; }
  #mc-send { min-width: 64px !important; flex-grow: 0 !important; }
  .mc-actions { flex-wrap: nowrap !important; }
  .mc-actions > * { flex: 1 1 0 !important; min-width: 0 !important; }
}
"""
