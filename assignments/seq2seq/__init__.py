"""The seq2seq assignment: implement the stubs in scores.py, attention.py and decoder.py, then run ``grade`` in
this folder.

seq2seq 과제: scores.py, attention.py, decoder.py의 빈 함수를 구현한 뒤 이 폴더에서 ``grade``를 실행하세요.
"""
