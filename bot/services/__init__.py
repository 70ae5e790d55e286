"""The office's rules at work: plain functions over a `Unit` (one transaction), which say
what they say as data (`bot.core.said`) and never import telegram or the rendering layer."""
