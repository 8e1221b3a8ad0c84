"""The assignment's own messages, in English and Korean: its title and what its mistake says."""

MESSAGES = {
    "en": {
        "title": "Layer normalisation",
        "mistake.layernorm_unbiased_variance": "your output matches dividing by the unbiased (n - 1) variance: "
                                                "layer normalisation uses the biased variance, the mean of the squared deviations",
    },
    "ko": {
        "title": "층 정규화",
        "mistake.layernorm_unbiased_variance": "출력이 불편 분산(n - 1 로 나눈 분산)으로 나눈 결과와 같습니다. "
                                                "층 정규화는 편차 제곱의 평균, 곧 편향 분산을 씁니다",
    },
}
