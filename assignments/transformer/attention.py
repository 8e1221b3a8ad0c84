"""Scaled dot-product attention and its masks (Vaswani et al., 2017, section 3.2.1).

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V

Shapes ("..." is any number of leading batch dimensions):
    q: (..., Lq, d_k)    k: (..., Lk, d_k)    v: (..., Lk, d_v)
    scores, weights: (..., Lq, Lk)            output: (..., Lq, d_v)

Masks are boolean; True means "may attend". Masked scores must end with weight exactly 0.

스케일드 닷-프로덕트 어텐션과 마스크. 마스크는 bool 이며 True 는 "주목해도 됨"을 뜻합니다.
가려진 위치의 가중치는 정확히 0 이어야 합니다.
"""

from __future__ import annotations

import torch


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None, dim: int = -1) -> torch.Tensor:
    """Softmax of ``scores`` over ``dim``, with masked positions set to exactly 0.

    Args:
        scores: any shape, e.g. (..., Lq, Lk).
        mask: bool, broadcastable to scores.shape; True = keep, False = mask out. None = no mask.
        dim: the dimension that sums to one.
    Returns:
        a tensor of scores.shape and dtype. Where mask is False: exactly 0. A row whose every
        position is masked: all zeros (not NaN). Must stay finite for logits as large as ±1e4.

    ``dim`` 방향으로 softmax 를 계산하고, mask 가 False 인 위치는 정확히 0 으로 만듭니다.
    모든 위치가 가려진 행은 NaN 이 아니라 전부 0 이어야 하고, ±1e4 정도의 큰 로짓에서도
    유한한 값을 내야 합니다. 입력 텐서를 제자리에서(in-place) 바꾸지 마세요.
    """
    # TODO: implement (Task 2)
    raise NotImplementedError("Task 2: masked_softmax")


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention.

        weights = masked_softmax(q kᵀ / √d_k, mask)      (..., Lq, Lk)
        output  = weights v                              (..., Lq, d_v)

    Args:
        q: (..., Lq, d_k); k: (..., Lk, d_k); v: (..., Lk, d_v).
        mask: bool, broadcastable to (..., Lq, Lk); True = may attend.
    Returns:
        the tuple (output, weights).

    가중치 = masked_softmax(q kᵀ / √d_k, mask), 출력 = 가중치 v 를 계산해 (출력, 가중치)
    튜플로 돌려줍니다. d_k 는 q 의 마지막 차원 크기입니다.
    """
    # TODO: implement (Task 3)
    raise NotImplementedError("Task 3: scaled_dot_product_attention")


def causal_mask(size: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Bool mask of shape (size, size), True on and below the diagonal (position i sees j <= i).

    The tensor must be created on ``device``.

    (size, size) 모양의 bool 마스크: 대각선과 그 아래가 True 입니다 (위치 i 는 j <= i 만 봅니다).
    텐서는 ``device`` 위에 만들어야 합니다.
    """
    # TODO: implement (Task 4)
    raise NotImplementedError("Task 4: causal_mask")


def padding_mask(tokens: torch.Tensor, pad_id: int) -> torch.Tensor:
    """Bool mask of shape (B, 1, 1, L) from token ids (B, L): True where tokens != pad_id.

    The extra dimensions let it broadcast over heads and query positions: (B, h, Lq, L).

    토큰 id (B, L) 로부터 (B, 1, 1, L) 모양의 bool 마스크를 만듭니다. 패딩이 아닌 곳이 True 입니다.
    추가 차원 덕분에 (B, h, Lq, L) 로 브로드캐스트됩니다.
    """
    # TODO: implement (Task 5)
    raise NotImplementedError("Task 5: padding_mask")
