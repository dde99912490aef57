"""SQL text handling for the migration linter: statement splitting and DO-block unwrapping.

Kept apart from the rules so that every rule sees the same statements, with the same positions,
whatever parser later classifies them.
"""
