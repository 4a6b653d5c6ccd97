package org.hamkafka.eval.service;

import org.hamkafka.contracts.EvalResult;
import org.hamkafka.core.eval.ModelCard;

/** A checkpoint's evaluation: the public result, how many test examples it rests on, and its model card. */
public record Evaluation(EvalResult result, int examples, ModelCard card) {
}
