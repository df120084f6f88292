"""Verdicts, spelt exactly as Mooshak 2 classifies submissions (title case, spaces)."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "Accepted"
    PRESENTATION_ERROR = "Presentation Error"
    WRONG_ANSWER = "Wrong Answer"
    EVALUATION_SKIPPED = "Evaluation Skipped"
    OUTPUT_LIMIT_EXCEEDED = "Output Limit Exceeded"
    MEMORY_LIMIT_EXCEEDED = "Memory Limit Exceeded"
    TIME_LIMIT_EXCEEDED = "Time Limit Exceeded"
    INVALID_FUNCTION = "Invalid Function"
    INVALID_EXIT_VALUE = "Invalid Exit Value"
    RUNTIME_ERROR = "Runtime Error"
    COMPILE_TIME_ERROR = "Compile Time Error"
    INVALID_SUBMISSION = "Invalid Submission"
    PROGRAM_SIZE_EXCEEDED = "Program Size Exceeded"
    REQUIRES_REEVALUATION = "Requires Reevaluation"
    EVALUATING = "Evaluating"
