package org.hamkafka.eval.service;

import org.hamkafka.contracts.EvalResult;

/** A checkpoint's evaluation: the public result and how many test examples it rests on. */
public record Evaluation(EvalResult result, int examples) {
}
