"""Read the corpus' YAML front matter with PyYAML instead of Python-Markdown's 'meta' extension.

The 'meta' extension reads flat 'key: value' lines only: on the corpus it keeps the quotes in
titles, makes 'tags: [a, b]' the tags '[a' and 'b]', takes the nested 'cta: {url: ...}' for the
article's own 'url', and leaks the 'images:' list into the body. This reader splits the '---'
block, parses it with yaml.safe_load, renders the body with the same Markdown settings, and hands
title, date, tags and summary to Pelican's own metadata processing (as the 'meta' extension would).
"""

import yaml
from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open


class YamlMarkdownReader(MarkdownReader):
    def read(self, source_path):
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        with pelican_open(source_path) as text:
            _, head, body = text.split("---\n", 2)
        front = yaml.safe_load(head) or {}
        content = self._md.convert(body)
        meta = {key: [str(front[key])] for key in ("title", "date", "summary") if key in front}
        if front.get("date") is not None and hasattr(front["date"], "isoformat"):
            meta["date"] = [front["date"].isoformat()]
        if front.get("tags"):
            meta["tags"] = [", ".join(map(str, front["tags"]))]
        return content, self._parse_metadata(meta)


def add_reader(readers):
    for ext in YamlMarkdownReader.file_extensions:
        readers.reader_classes[ext] = YamlMarkdownReader


def register():
    signals.readers_init.connect(add_reader)
