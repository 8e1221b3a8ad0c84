"""The pretraining assignment: implement the stubs in masking.py, pairs.py, embeddings.py, heads.py,
objectives.py and generation.py, then run ``grade`` in this folder.

사전 학습 과제: masking.py, pairs.py, embeddings.py, heads.py, objectives.py, generation.py 의
빈 함수를 구현한 뒤 이 폴더에서 ``grade`` 를 실행하세요.
"""
