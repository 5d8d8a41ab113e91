"""The public record: archives, signed audit heads, feeds and charts."""
