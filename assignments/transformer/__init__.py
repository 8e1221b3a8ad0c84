"""The transformer assignment: implement the stubs in positional.py, attention.py, multihead.py
and layers.py, then run ``grade`` in this folder.

트랜스포머 과제: positional.py, attention.py, multihead.py, layers.py 의 빈 함수를 구현한 뒤
이 폴더에서 ``grade`` 를 실행하세요.
"""
